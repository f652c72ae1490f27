package io.aierr.tests.apps;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * An ordinary app that makes many calls through one shared client and prints what it saw. Knows
 * nothing of aierr. Arguments {@code key=value}:
 * <ul>
 * <li>url, threads, calls (per thread), gap-ms (pause between one thread's calls), max-tokens
 * ({@code 100-500}: each call asks for a {@code max_tokens} in that range, spread by the call's
 * number, the same in every run);</li>
 * <li>client ({@link ClientFamily}, {@code jdk} by default; each thread calls and waits), or
 * mode=async: JDK sendAsync, all calls sent at once from one thread, the client on a 2-thread executor;</li>
 * <li>keys: how many API keys the calls take turns with (1 by default);</li>
 * <li>per-call=true: each call sends its number in {@code x-call} and prints one line
 * {@code call <n> <status> <refused or -> <first 16 hex of the body's SHA-256> <intact|changed|unchecked>}
 * or {@code call <n> exception <class>};</li>
 * <li>warm-up: calls per thread made before the measured ones (numbered from 1,000,000,000, not printed);</li>
 * <li>first-call: the number of the first call (0 by default), so that apps sharing a server number their calls apart;</li>
 * <li>stall-seconds: a {@link Watchdog} fails the app when no call ends for that long;</li>
 * <li>interrupt-every-ms with seed: a thread interrupts a random caller about that often;</li>
 * <li>census=true: resources before (after the warm-up) and after the calls ({@link RuntimeCensus}):
 * heap after GC, live threads, the pool's leased connections, open connections to the server
 * (awaited to drop to 0 for up to close-wait-ms, when given), live instances of the classes named by
 * the count-classes prefixes, threads named with thread-prefix.</li>
 * </ul>
 *
 * <p>When a response carries {@code x-body-sha256} (the server's digest of the body it sent), the
 * app compares it with the bytes it got and prints {@code bodies.checked} and {@code bodies.changed}.
 */
public final class LoadApp {
    /** The key every call carries (with keys=N, its N variants): calls of several of these apps share its limit. */
    static final String API_KEY = "sk-test-load-key";
    private static final long WARM_UP_IDS = 1_000_000_000L;

    private final Map<String, String> o;
    private final String url;
    private final int keys;
    private final int[] tokenRange;
    private final boolean perCall;
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger bodiesChecked = new AtomicInteger();
    private final AtomicInteger bodiesChanged = new AtomicInteger();

    private LoadApp(Map<String, String> o) {
        this.o = o;
        url = o.get("url");
        keys = Integer.parseInt(o.getOrDefault("keys", "1"));
        perCall = Boolean.parseBoolean(o.getOrDefault("per-call", "false"));
        tokenRange = o.containsKey("max-tokens")
                ? Arrays.stream(o.get("max-tokens").split("-")).mapToInt(Integer::parseInt).toArray() : null;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = JdkClientApp.options(args);
        LoadApp app = new LoadApp(o);
        if ("async".equals(o.get("mode"))) {
            app.allAtOnce(Integer.parseInt(o.getOrDefault("threads", "1")) * Integer.parseInt(o.getOrDefault("calls", "1")));
        } else {
            app.threads();
        }
        app.outcomes.forEach((k, v) -> System.out.println("outcome." + k + "=" + v));
        System.out.println("bodies.checked=" + app.bodiesChecked.get());
        System.out.println("bodies.changed=" + app.bodiesChanged.get());
        System.out.println("peak-threads=" + ManagementFactory.getThreadMXBean().getPeakThreadCount());
        System.exit(0);
    }

    /** Call {@code id}'s body: every call asks its own question, as a real load does (no call is a resend of another). */
    private byte[] body(long id) {
        // a prime stride walks the whole range before it repeats a value, for any range width
        String maxTokens = tokenRange == null ? ""
                : ",\"max_tokens\":" + (tokenRange[0] + Math.floorMod(id * 7919, tokenRange[1] - tokenRange[0] + 1));
        return ("{\"model\":\"gpt-4o-mini\",\"messages\":[\"question " + id + "\"]" + maxTokens + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, String> headers(long id) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("authorization", "Bearer " + API_KEY + (keys > 1 ? "-" + Math.floorMod(id, keys) : ""));
        if (perCall) {
            h.put("x-call", Long.toString(id));
        }
        return h;
    }

    private void allAtOnce(int calls) {
        ExecutorService clientExecutor = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newBuilder().executor(clientExecutor).build();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int id = 0; id < calls; id++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body(id)));
            headers(id).forEach(request::header);
            futures.add(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
                ended(-1, r == null ? null : new ClientFamily.Answer(r.statusCode(), r.body(),
                        r.headers().firstValue("x-aierr-refused").orElse(null),
                        r.headers().firstValue("x-body-sha256").orElse(null)), e);
                return null;
            }));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        clientExecutor.shutdown();
    }

    private void threads() throws Exception {
        int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
        int calls = Integer.parseInt(o.getOrDefault("calls", "1"));
        long gap = Long.parseLong(o.getOrDefault("gap-ms", "0"));
        ClientFamily client = ClientFamily.of(o.getOrDefault("client", "jdk"), threads);
        boolean census = Boolean.parseBoolean(o.getOrDefault("census", "false"));
        int warmUp = Integer.parseInt(o.getOrDefault("warm-up", "0"));
        long firstCall = Long.parseLong(o.getOrDefault("first-call", "0"));
        if (warmUp > 0) {
            run(threads, t -> {
                for (int i = 0; i < warmUp; i++) {
                    long id = WARM_UP_IDS + (long) t * warmUp + i;
                    try {
                        client.call(url, body(id), headers(id));
                    } catch (Exception ignored) {
                        // the warm-up only opens connections and loads classes
                    }
                }
            });
        }
        long stall = Long.parseLong(o.getOrDefault("stall-seconds", "0"));
        Watchdog watchdog = stall > 0 ? new Watchdog(stall) : null;
        long heapStart = census ? RuntimeCensus.heapAfterGc() : 0;
        Set<Thread> threadsStart = Thread.getAllStackTraces().keySet();
        long start = System.nanoTime();
        run(threads, t -> {
            for (int i = 0; i < calls; i++) {
                long id = firstCall + (long) t * calls + i;
                ClientFamily.Answer answer = null;
                Throwable failure = null;
                try {
                    answer = client.call(url, body(id), headers(id));
                } catch (Exception e) {
                    failure = e;
                    // an interrupt meant for one call is not carried into the next
                    Thread.interrupted();
                }
                ended(id, answer, failure);
                if (watchdog != null) {
                    watchdog.progressed();
                }
                JdkClientApp.sleep(gap);
            }
        }, interrupter(threads));
        System.out.println("elapsed.ms=" + (System.nanoTime() - start) / 1_000_000);
        if (watchdog != null) {
            watchdog.stop();
        }
        if (census) {
            census(client, heapStart, threadsStart);
        }
    }

    private static void run(int threads, IntConsumer work) throws InterruptedException {
        run(threads, work, null);
    }

    /** Starts {@code threads} threads running {@code work(t)}, waits for them; with an interrupter, it runs meanwhile. */
    private static void run(int threads, IntConsumer work, Consumer<List<Thread>> interrupter)
            throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int n = t;
            workers.add(new Thread(() -> work.accept(n), "caller-" + t));
        }
        workers.forEach(Thread::start);
        Thread interrupting = null;
        if (interrupter != null) {
            interrupting = new Thread(() -> interrupter.accept(workers), "interrupter");
            interrupting.setDaemon(true);
            interrupting.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (interrupting != null) {
            interrupting.interrupt();
            interrupting.join();
        }
    }

    /** With interrupt-every-ms: interrupts a random caller about that often, seeded, while any is alive. */
    private Consumer<List<Thread>> interrupter(int threads) {
        if (!o.containsKey("interrupt-every-ms")) {
            return null;
        }
        long every = Long.parseLong(o.get("interrupt-every-ms"));
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        return workers -> {
            SplittableRandom random = new SplittableRandom(seed);
            int sent = 0;
            try {
                while (workers.stream().anyMatch(Thread::isAlive)) {
                    Thread.sleep(random.nextLong(1, 2 * every));
                    workers.get(random.nextInt(threads)).interrupt();
                    sent++;
                }
            } catch (InterruptedException over) {
                // the calls are over
            }
            System.out.println("interrupts.sent=" + sent);
        };
    }

    private void census(ClientFamily client, long heapStart, Set<Thread> threadsStart) throws Exception {
        int port = URI.create(url).getPort();
        System.out.println("connections.leased=" + RuntimeCensus.awaitAtMost(client::leased, 0, Signals.MAX_WAIT_MILLIS));
        long closeWait = Long.parseLong(o.getOrDefault("close-wait-ms", "0"));
        System.out.println("connections.open=" + RuntimeCensus.awaitAtMost(() -> RuntimeCensus.connectionsTo(port), 0,
                closeWait));
        System.out.println("threads.start=" + threadsStart.size());
        System.out.println("threads.end=" + RuntimeCensus.liveThreads());
        System.out.println("threads.new=" + Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !threadsStart.contains(t)).map(Thread::getName).sorted().toList());
        System.out.println("threads.named=" + RuntimeCensus.threadsNamed(o.getOrDefault("thread-prefix", "aierr-")));
        System.out.println("heap.start=" + heapStart);
        System.out.println("heap.end=" + RuntimeCensus.heapAfterGc());
        if (o.containsKey("count-classes")) {
            RuntimeCensus.liveInstances(List.of(o.get("count-classes").split(",")))
                    .forEach((name, count) -> System.out.println("instances." + name + "=" + count));
        }
    }

    /** Counts one call's outcome; with per-call, prints it. */
    private void ended(long id, ClientFamily.Answer answer, Throwable failure) {
        String integrity = "unchecked";
        if (answer != null && answer.bodySha256() != null) {
            bodiesChecked.incrementAndGet();
            integrity = answer.bodySha256().equals(AppCall.sha256(answer.body())) ? "intact" : "changed";
            if (integrity.equals("changed")) {
                bodiesChanged.incrementAndGet();
                System.out.println("changed-body=" + answer.status() + " "
                        + new String(answer.body(), StandardCharsets.UTF_8));
            }
        }
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        // a response aierr answered without sending counts apart: "450-circuit-open"
        String key = answer == null ? cause.getClass().getSimpleName()
                : answer.status() + (answer.refused() == null ? "" : "-" + answer.refused());
        outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (perCall) {
            System.out.println(answer == null ? "call " + id + " exception " + cause.getClass().getName()
                    : "call " + id + " " + answer.status() + " " + (answer.refused() == null ? "-" : answer.refused())
                    + " " + AppCall.sha256(answer.body()).substring(0, 16) + " " + integrity);
        } else if (cause != null) {
            System.out.println("failure=" + cause);
        }
    }
}
