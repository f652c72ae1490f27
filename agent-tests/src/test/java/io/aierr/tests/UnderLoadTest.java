package io.aierr.tests;

import io.aierr.core.retry.Delayed;
import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.LoadApp;
import io.aierr.tests.support.AierrCommand;
import io.aierr.tests.support.ClientFamilies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.LoadScript;
import io.aierr.tests.support.LoadSize;
import io.aierr.tests.support.RedisServer;
import io.aierr.tests.support.Replicas;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.TokenLimit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many callers through every client family at once, on the {@link LoadScript} mix (successes, 429
 * with and without hints, 450, 503, spent quota, 400, slow bodies, bodies that break), with aierr at
 * its defaults (gate, budget and breaker on), and the same run without aierr as the control. Counts
 * and outcomes are asserted, never speed: every call ends in a success or in exactly the control's
 * answer (or a documented refusal); no call hangs (the app's watchdog); the pool lends out nothing
 * at the end; heap after GC is back within 10 % of where it started; threads and aierr's
 * per-endpoint state stay bounded over a soak with more API keys than aierr tracks. The size comes
 * from {@link LoadSize}, and so does the JDK of each run (17 or 25, {@link LoadSize#jdk});
 * bench/load.sh runs this class at full size.
 */
class UnderLoadTest {
    private static final String PATH = "/v1/chat/completions";
    private static final long SEED = Long.getLong("load.seed", 15);
    private static final LoadSize SIZE = LoadSize.current();
    /** More keys than the endpoints aierr tracks one by one (1024), so that its overflow is used. */
    private static final int SOAK_KEYS = 1_100;
    /** One no call should come near: every wait the script asks for is at most a few seconds. */
    private static final int STALL_SECONDS = 30;
    /**
     * Threads a client or the JDK keeps in a pool and ends after an idle time of its own (the JDK
     * client's executor and the common pool after 60 s): the only ones that may outlive the calls.
     */
    private static final List<String> POOLED_THREADS = List.of("HttpClient-", "ForkJoinPool.commonPool-worker-",
            "OkHttp ", "httpclient-dispatch-",
            // OpenTelemetry's JDK sender, one per exporter, started by aierr's first export
            "jdkhttp-executor-",
            // aierr's own pool for what falls due after a wait: its idle threads end after 5 s (DelayedTest)
            Delayed.THREAD_PREFIX);
    /** The fleet run's token limit holds about 17 calls' worth at once. */
    private static final int FLEET_TOKEN_BURST = 5_000;
    private static final Pattern SPANS_LOST = Pattern.compile("(\\d+) of (\\d+) spans not exported");
    /**
     * The soak is about what stays behind, not about waits: its answers without a hint are retried
     * after 10 ms instead of aierr's 500 ms and up, which would make most of its time.
     */
    private static final Map<String, String> SOAK_SETTINGS = Map.of("aierr.retry.initial-backoff", "10ms");

    /** A run: what the app printed, what the server and the collector saw. */
    private record Run(ForkedJvm.Result app, int requests, int spans, Map<Long, String> calls) {
        @Override
        public String toString() {
            return app.toString().lines().filter(l -> !l.startsWith("call ")).collect(Collectors.joining("\n"));
        }

        long number(String key) {
            String v = app.value(key);
            assertNotNull(v, key + " not printed\n" + app);
            return Long.parseLong(v);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientFamilies.class)
    void everyCallEndsInASuccessOrTheAnswerItGetsWithoutAierr(ClientFamilies family) throws Exception {
        Assumptions.assumeTrue(LoadSize.includes(family));
        String client = family.option + ", JDK " + LoadSize.jdkName(family, false);
        System.out.println("load " + client + ": seed " + SEED + ", size " + SIZE);
        int calls = SIZE.threads * SIZE.calls;
        String[] args = {"threads=" + SIZE.threads, "calls=" + SIZE.calls, "warm-up=2"};
        Run control = run(family, false, false, Map.of(), args);
        Run with = run(family, false, true, Map.of(), args);

        assertEquals(calls, control.calls.size(), control.toString());
        assertEquals(calls, with.calls.size(), with.toString());
        Map<String, Integer> kinds = kindsKeepingTheRule(control.calls, with.calls, calls);
        // a call aierr sends at most its 5 attempts (plus the warm-up's)
        assertTrue(with.requests <= 5 * (calls + 2 * SIZE.threads), "requests " + with.requests);

        for (Run r : List.of(control, with)) {
            assertNoLeak(family, r);
        }
        assertHeapCameBack(with);
        assertEquals(0, with.number("bodies.changed") - refusedWithChangedBody(with), with.toString());
        Matcher lost = SPANS_LOST.matcher(with.app.stderr);
        String spanLoss = lost.find() ? lost.group(1) + " of " + lost.group(2) + " not exported" : "none lost";
        assertTrue(with.spans > 0, "the collector got spans: " + with.app.stderr);

        report(String.format("| load | %s | %d x %d | %d | %d ms | %d ms | %s | %d / %d | %s / %s | %.1f -> %.1f MiB | "
                        + "%d spans received, %s |",
                client, SIZE.threads, SIZE.calls, with.requests, control.number("elapsed.ms"),
                with.number("elapsed.ms"), kinds, with.number("connections.leased"), with.number("connections.open"),
                with.number("threads.start"), with.number("threads.end"), mib(with.number("heap.start")),
                mib(with.number("heap.end")), with.spans, spanLoss));
    }

    @ParameterizedTest
    @EnumSource(ClientFamilies.class)
    void aSoakWithMoreKeysThanAierrTracksLeavesNothingBehind(ClientFamilies family) throws Exception {
        Assumptions.assumeTrue(SIZE.samples(family));
        String client = family.option + ", JDK " + LoadSize.jdkName(family, true);
        System.out.println("soak " + client + ": seed " + SEED + ", size " + SIZE);
        String[] args = {"threads=" + SIZE.soakThreads, "calls=" + SIZE.soakCalls / SIZE.soakThreads,
                "keys=" + SOAK_KEYS, "warm-up=1",
                "count-classes=io.aierr.core.,java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask"};
        Run control = run(family, true, false, SOAK_SETTINGS, args);
        Run with = run(family, true, true, SOAK_SETTINGS, args);
        assertEquals(SIZE.soakCalls, with.calls.size(), with.toString());
        for (Run r : List.of(control, with)) {
            assertNoLeak(family, r);
        }
        long endpoints = instances(with, "io.aierr.core.limits.EndpointLimits");
        assertTrue(endpoints > 0 && endpoints <= 1024 + 1, "per-endpoint state for " + SOAK_KEYS + " keys: " + endpoints);
        long timers = instances(with, "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask");
        // one is the exporter's periodic metric export; a wait aierr left scheduled would add to it
        assertTrue(timers <= instances(control, "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask") + 1,
                "timers left pending: " + timers + "\n" + with);
        String named = with.app.value("threads.named");
        List<String> aierrThreads = named.equals("[]") ? List.of() : List.of(named.substring(1, named.length() - 1)
                .split(", ")).stream().filter(name -> !name.startsWith(Delayed.THREAD_PREFIX)).toList();
        assertEquals(List.of(), aierrThreads, "aierr threads left running");

        report(String.format("| soak | %s | %d calls, %d keys | %d | %d ms | %d ms | endpoint states %d, timers %d | %d / %d "
                        + "| %s / %s | %.1f -> %.1f MiB | |",
                client, SIZE.soakCalls, SOAK_KEYS, with.requests, control.number("elapsed.ms"),
                with.number("elapsed.ms"), endpoints, timers, with.number("connections.leased"),
                with.number("connections.open"), with.number("threads.start"), with.number("threads.end"),
                mib(with.number("heap.start")), mib(with.number("heap.end"))));
    }

    /**
     * The load once more, through what a fleet adds: two replicas of one app (one on each JDK, when
     * this machine has a JDK 25) share their endpoint's limits through a real Redis, behind a token
     * limit that their calls' max_tokens exceed many times over, so that they pace to it together
     * (the script's answers come only to the requests the limit admits). The load's checks hold: each
     * call ends in a success or in the script's answer the control got (a token 429 left over would
     * break the rule), no connection or thread is left, no call stalls, the heap comes back; and the
     * fleet's token state is in Redis.
     */
    @Test
    void aFleetSharingRedisBehindATokenLimitKeepsTheSameRule() throws Exception {
        ClientFamilies family = ClientFamilies.JDK;
        Assumptions.assumeTrue(LoadSize.includes(family));
        int replicas = 2;
        int threads = SIZE.threads / replicas;
        int calls = SIZE.threads * SIZE.calls;
        String maxTokens = "max-tokens=100-500";
        System.out.println("fleet " + family.option + " through Redis, behind a token limit: seed " + SEED + ", size " + SIZE);
        Run control = run(family, false, false, Map.of(), "threads=" + SIZE.threads, "calls=" + SIZE.calls, maxTokens);
        // about 300 tokens a call: the calls need some 4 s of the limit's refill beyond its burst
        TokenLimit tokens = new TokenLimit(calls * 300 / 4.0, FLEET_TOKEN_BURST, true);
        List<Run> runs = new ArrayList<>();
        try (RedisServer redis = new RedisServer(null);
             ScriptedAiServer server = new ScriptedAiServer().answerWith(tokens.before(new LoadScript(SEED)));
             Replicas fleet = new Replicas(Files.createTempDirectory("fleet-signals"))) {
            Map<String, String> settings = Replicas.settings(server.authority(), redis.url());
            settings.put("aierr.summary", "true");
            fleet.start(replicas, server.url(PATH), settings, (i, jvm) -> {
                // the replicas number their calls apart, as the control's threads do
                observed(jvm, family).arg("first-call=" + i * threads * SIZE.calls);
                return i == 1 ? ForkedJvm.jdk25().map(jvm::javaHome).orElse(jvm) : jvm;
            }, "threads=" + threads, "calls=" + SIZE.calls, maxTokens).goAll();
            for (ForkedJvm.Result r : fleet.results()) {
                runs.add(new Run(r, server.requestCount(), 0, perCall(r)));
            }
            ForkedJvm.Result status = AierrCommand.run("", "status", "--coordination", redis.url());
            assertTrue(status.stdout.contains(" of " + FLEET_TOKEN_BURST + " left, refilling "),
                    "the fleet's token state is in Redis\n" + status);
        }
        Map<Long, String> with = new HashMap<>();
        runs.forEach(r -> with.putAll(r.calls));
        assertEquals(calls, with.size(), runs.toString());
        Map<String, Integer> kinds = kindsKeepingTheRule(control.calls, with, calls);
        assertTrue(tokens.tokensCharged.get() > 2 * FLEET_TOKEN_BURST, "the limit had to refill: "
                + tokens.tokensCharged + " tokens charged");
        assertNoLeak(family, control);
        for (Run r : runs) {
            assertNoLeak(family, r);
            assertHeapCameBack(r);
            assertEquals(0, r.number("bodies.changed") - refusedWithChangedBody(r), r.toString());
        }
        report(String.format("| fleet, Redis, token limit | %s, JDK %s + %s | %d x %d x %d | %d | %d ms | %d ms | %s, "
                        + "%d token 429s | %d / %d | | %.1f -> %.1f MiB | |",
                family.option, System.getProperty("java.specification.version"),
                ForkedJvm.jdk25().isPresent() ? "25" : System.getProperty("java.specification.version"), replicas,
                threads, SIZE.calls, runs.get(0).requests, control.number("elapsed.ms"),
                Math.max(runs.get(0).number("elapsed.ms"), runs.get(1).number("elapsed.ms")), kinds,
                tokens.throttled.get(), runs.get(0).number("connections.leased"), runs.get(0).number("connections.open"),
                mib(runs.get(0).number("heap.start")), mib(runs.get(0).number("heap.end"))));
    }

    /**
     * Heap after GC at the end within 10 % of where it stood after the warm-up, or within 1 MiB: a CI-size
     * run starts from a few MiB, where state made once after the warm-up (a Redis connection's buffers,
     * a model's token bucket) is more than 10 %; a leak grows with the calls, and the full size shows it.
     */
    private static void assertHeapCameBack(Run r) {
        long heapStart = r.number("heap.start");
        long heapEnd = r.number("heap.end");
        assertTrue(heapEnd <= Math.max(heapStart * 1.10, heapStart + (1 << 20)),
                "heap after GC " + heapStart + " -> " + heapEnd + " bytes");
    }

    /**
     * Each call's {@link #ruleKind}, counted by kind, asserting that none broke the rule and that
     * successes outnumber the control's own answers (most retryable failures end in a success).
     */
    private static Map<String, Integer> kindsKeepingTheRule(Map<Long, String> control, Map<Long, String> with, int calls) {
        Map<String, Integer> kinds = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (long id = 0; id < calls; id++) {
            String kind = ruleKind(control.get(id), with.get(id));
            kinds.merge(kind, 1, Integer::sum);
            if (kind.equals("broken")) {
                broken.add("call " + id + " (" + new LoadScript(SEED).kind(id) + "): without aierr "
                        + control.get(id) + ", with aierr " + with.get(id));
            }
        }
        assertEquals(List.of(), broken.subList(0, Math.min(20, broken.size())), broken.size() + " calls broke the rule");
        assertTrue(kinds.getOrDefault("success", 0) > kinds.getOrDefault("same", 0), kinds.toString());
        return kinds;
    }

    /**
     * How call's answer with aierr relates to the control's: {@code success} (a 200 whose body came
     * unchanged), {@code same} (the control's very answer: status and body, or exception class),
     * {@code refused} (aierr answered with a copy of an outage, as documented), else {@code broken}.
     */
    private static String ruleKind(String control, String with) {
        if (control == null || with == null) {
            return "broken";
        }
        if (with.startsWith("200 - ") && with.endsWith(" intact")) {
            return "success";
        }
        if (with.equals(control)) {
            return "same";
        }
        String[] f = with.split(" ");
        return !f[0].equals("exception") && !f[1].equals("-") && List.of("429", "450", "503", "529").contains(f[0])
                ? "refused" : "broken";
    }

    /** A refusal copies the outage's headers with a body of its own: its digest header may not match. */
    private static long refusedWithChangedBody(Run r) {
        return r.calls.values().stream().filter(c -> c.endsWith(" changed") && !c.split(" ")[1].equals("-")).count();
    }

    private static void assertNoLeak(ClientFamilies family, Run r) {
        assertEquals(0, r.app.exitCode, "exit code (3: the watchdog found no progress)\n" + r);
        long leased = r.number("connections.leased");
        assertTrue(leased == 0 || leased == -1, "connections still leased: " + leased + "\n" + r);
        long open = r.number("connections.open");
        if (isJdk(family)) {
            // the JDK client tells nothing of its pool: its idle connections expire after 2 s, a leaked one would stay
            assertEquals(0, open, "connections still open\n" + r);
        } else {
            assertTrue(open >= 0 && open <= Math.max(SIZE.threads, SIZE.soakThreads), "open connections: " + open);
        }
        String threadsNew = r.app.value("threads.new");
        List<String> unknown = threadsNew.equals("[]") ? List.of() : List.of(threadsNew.substring(1, threadsNew.length() - 1)
                .split(", ")).stream().filter(name -> POOLED_THREADS.stream().noneMatch(name::startsWith)).toList();
        assertEquals(List.of(), unknown, "threads started during the calls and still alive at the end");
    }

    private static boolean isJdk(ClientFamilies family) {
        return family == ClientFamilies.JDK || family == ClientFamilies.JDK_ASYNC;
    }

    private static long instances(Run r, String className) {
        String v = r.app.value("instances." + className);
        return v == null ? 0 : Long.parseLong(v);
    }

    /**
     * One run of LoadApp, on the JDK {@link LoadSize#jdk} gives the family for the load or a sampled
     * row, with or without aierr (and then its {@code settings} beside the defaults).
     */
    private static Run run(ClientFamilies family, boolean sampledRow, boolean agent, Map<String, String> settings,
                           String... args) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer().answerWith(new LoadScript(SEED));
             OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm jvm = LoadSize.onJdk(observed(ForkedJvm.app(LoadApp.class, args), family), family, sampledRow)
                    .arg("url=" + server.url(PATH)).agent(agent);
            if (agent) {
                withAierr(jvm, server.authority()).property("aierr.exporter", "otlp")
                        .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                        // finished spans leave within 200 ms instead of 5 s: the heap is counted with the queue drained
                        .property("otel.bsp.schedule.delay", "200");
                settings.forEach(jvm::property);
            }
            ForkedJvm.Result result = jvm.run();
            return new Run(result, server.requestCount(), receiver.spans().size(), perCall(result));
        }
    }

    /**
     * A LoadApp (or an app running it) on {@code family}, printing each call's outcome and a census
     * at the end, under the watchdog.
     */
    private static ForkedJvm observed(ForkedJvm jvm, ClientFamilies family) {
        family.onClassPath(jvm).arg("client=" + family.option).arg("per-call=true")
                .arg("stall-seconds=" + STALL_SECONDS).arg("census=true").timeoutSeconds(SIZE.timeoutSeconds);
        if (isJdk(family)) {
            jvm.property("jdk.httpclient.keepalive.timeout", "2").arg("close-wait-ms=30000");
        }
        return jvm;
    }

    /**
     * aierr at its defaults for a load on {@code authority}. This suite found the adaptive gate
     * pacing sporadic 429s down to a crawl (400 calls in 150 s instead of 2 s); its learned rate now
     * has a floor. {@code -Dload.adaptive=false} runs without it, as the first full-size runs did.
     */
    static ForkedJvm withAierr(ForkedJvm jvm, String authority) {
        return jvm.property("aierr.endpoints", authority + "=openai").property("aierr.ratelimit.adaptive",
                System.getProperty("load.adaptive", "true")).property("aierr.summary", "true");
    }

    /** The app's {@code call <n> <outcome>} lines by call number. */
    private static Map<Long, String> perCall(ForkedJvm.Result r) {
        Map<Long, String> calls = new HashMap<>();
        r.stdout.lines().filter(l -> l.startsWith("call ")).forEach(l -> {
            int space = l.indexOf(' ', 5);
            calls.put(Long.parseLong(l.substring(5, space)), l.substring(space + 1));
        });
        return calls;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static void report(String row) throws IOException {
        System.out.println(row);
        Path file = Paths.get(System.getProperty("load.report", "target/under-load.md"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
