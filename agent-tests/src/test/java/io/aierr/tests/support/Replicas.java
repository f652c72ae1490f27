package io.aierr.tests.support;

import io.aierr.tests.apps.FleetApp;
import io.aierr.tests.apps.Signals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas of one service, A, B, ..., each its own JVM running {@link FleetApp} with the agent and
 * one API key: started together, each warms up, then starts its load on its {@code go-<name>}
 * mark, so that their loads start when the test says whatever their JVMs' start took.
 */
public final class Replicas implements AutoCloseable {
    private final ExecutorService starter = Executors.newCachedThreadPool();
    private final List<Future<ForkedJvm.Result>> running = new ArrayList<>();
    public final Path signals;

    /** @param signals the folder of the marks (a scripted server's, to see its answers there too) */
    public Replicas(Path signals) {
        this.signals = signals;
    }

    /** The settings every replica of a test shares: its endpoint, and how it coordinates. */
    public static Map<String, String> settings(String authority, String coordination) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("aierr.endpoints", authority + "=openai");
        p.put("aierr.coordination", coordination);
        // calls paced behind a fleet's others may need more attempts on a loaded machine; counted, not timed
        p.put("aierr.retry.max-attempts", "20");
        return p;
    }

    /** Starts {@code size} replicas and returns once each made its warm-up call. */
    public Replicas start(int size, String url, Map<String, String> settings, String... load) throws InterruptedException {
        return start(size, url, settings, (i, jvm) -> jvm, load);
    }

    /** The same, each replica's JVM also set up by {@code setup} (given the replica's index): a JDK, libraries, options. */
    public Replicas start(int size, String url, Map<String, String> settings, BiFunction<Integer, ForkedJvm, ForkedJvm> setup,
                          String... load) throws InterruptedException {
        for (int i = 0; i < size; i++) {
            List<String> args = new ArrayList<>(List.of("url=" + url, "signals=" + signals, "name=" + name(i)));
            args.addAll(List.of(load));
            ForkedJvm jvm = setup.apply(i, ForkedJvm.app(FleetApp.class, args.toArray(new String[0])));
            settings.forEach(jvm::property);
            running.add(starter.submit(jvm::run));
        }
        for (int i = 0; i < size; i++) {
            assertTrue(Signals.await(signals, "warm-" + name(i)), "replica " + name(i) + " warmed up");
        }
        return this;
    }

    /** Replica {@code i} starts its load. */
    public void go(int i) {
        Signals.send(signals, "go-" + name(i));
    }

    /** Every replica starts its load, at the same moment. */
    public Replicas goAll() {
        for (int i = 0; i < running.size(); i++) {
            go(i);
        }
        return this;
    }

    /** Waits for every replica's end: what each saw. */
    public List<ForkedJvm.Result> results() throws Exception {
        List<ForkedJvm.Result> results = new ArrayList<>();
        for (Future<ForkedJvm.Result> r : running) {
            results.add(r.get());
        }
        return results;
    }

    /** Replicas that start their loads at the same moment, and what each saw. */
    public static List<ForkedJvm.Result> run(int size, String url, Map<String, String> settings, String... load)
            throws Exception {
        try (Replicas fleet = new Replicas(Files.createTempDirectory("replica-signals"))) {
            return fleet.start(size, url, settings, load).goAll().results();
        }
    }

    /** How many calls of all replicas ended with this outcome ({@code 200}, {@code 503-circuit-open}, ...). */
    public static int outcome(List<ForkedJvm.Result> results, String key) {
        int n = 0;
        for (ForkedJvm.Result r : results) {
            String v = r.value("outcome." + key);
            n += v == null ? 0 : Integer.parseInt(v);
        }
        return n;
    }

    private static String name(int i) {
        return String.valueOf((char) ('A' + i));
    }

    @Override
    public void close() {
        starter.shutdownNow();
    }
}
