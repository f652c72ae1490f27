package io.aierr.tests;

import io.aierr.tests.apps.FleetApp;
import io.aierr.tests.apps.Signals;
import io.aierr.tests.support.AierrCommand;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.RateLimitedAiServer;
import io.aierr.tests.support.RedisServer;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas of a service that share one API key share its limit through Redis
 * ({@code aierr.coordination}): a 429's hold reaches every JVM, and together they pace to what the
 * server accepts. Each behavior is shown against the same JVMs in local mode. Counts, not timings,
 * are asserted.
 */
class FleetTest {
    private static final String PATH = "/v1/chat/completions";
    private static final long HOLD_MILLIS = 4_000;

    /**
     * Starts replicas A, B, ... and returns once each made its warm-up call; each starts its load on
     * its {@code go-<name>} mark.
     */
    private static List<Future<ForkedJvm.Result>> start(ExecutorService starter, int size, String authority, String url,
                                                        Path signals, String coordination, String... load)
            throws InterruptedException {
        List<Future<ForkedJvm.Result>> running = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            List<String> args = new ArrayList<>(List.of("url=" + url, "signals=" + signals, "name=" + name(i)));
            args.addAll(List.of(load));
            ForkedJvm jvm = ForkedJvm.app(FleetApp.class, args.toArray(new String[0]))
                    .property("aierr.endpoints", authority + "=openai")
                    .property("aierr.coordination", coordination)
                    .property("aierr.retry.max-attempts", "20");
            running.add(starter.submit(jvm::run));
        }
        for (int i = 0; i < size; i++) {
            assertTrue(Signals.await(signals, "warm-" + name(i)), "replica " + name(i) + " warmed up");
        }
        return running;
    }

    /** Replicas that start their loads at the same moment, and what each saw. */
    private static List<ForkedJvm.Result> fleet(int size, String authority, String url, String coordination,
                                                String... load) throws Exception {
        Path signals = Files.createTempDirectory("fleet-signals");
        ExecutorService starter = Executors.newCachedThreadPool();
        try {
            List<Future<ForkedJvm.Result>> running = start(starter, size, authority, url, signals, coordination, load);
            for (int i = 0; i < size; i++) {
                Signals.send(signals, "go-" + name(i));
            }
            return results(running);
        } finally {
            starter.shutdownNow();
        }
    }

    private static List<ForkedJvm.Result> results(List<Future<ForkedJvm.Result>> running) throws Exception {
        List<ForkedJvm.Result> results = new ArrayList<>();
        for (Future<ForkedJvm.Result> r : running) {
            results.add(r.get());
        }
        return results;
    }

    private static String name(int i) {
        return String.valueOf((char) ('A' + i));
    }

    private static int outcome(List<ForkedJvm.Result> results, String key) {
        int n = 0;
        for (ForkedJvm.Result r : results) {
            String v = r.value("outcome." + key);
            n += v == null ? 0 : Integer.parseInt(v);
        }
        return n;
    }

    /** Requests the server got while the 429 it answered third held the endpoint. */
    private static int sentDuringTheHold(String coordination) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            Path signals = server.signals();
            server.then(Reply.status(200).json(Bodies.CHAT_COMPLETION)).then(Reply.status(200).json(Bodies.CHAT_COMPLETION))
                    .then(Reply.status(429).json(Bodies.OPENAI_RATE_LIMIT)
                            .header("retry-after-ms", String.valueOf(HOLD_MILLIS))
                            .header("x-ratelimit-limit-requests", "10")
                            .header("x-ratelimit-remaining-requests", "0")
                            .header("x-ratelimit-reset-requests", HOLD_MILLIS + "ms"))
                    .cycle(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ExecutorService starter = Executors.newCachedThreadPool();
            try {
                List<Future<ForkedJvm.Result>> running = start(starter, 2, server.authority(), server.url(PATH), signals,
                        coordination);
                // A meets the 429 and holds itself; B, told to call a moment later, is held by A's hold
                Signals.send(signals, "go-A");
                assertTrue(Signals.await(signals, "answered-3"), "A got its 429");
                Thread.sleep(500);
                Signals.send(signals, "go-B");
                List<ForkedJvm.Result> results = results(running);
                assertEquals(2, outcome(results, "200"), results.toString());
            } finally {
                starter.shutdownNow();
            }
            List<ScriptedAiServer.Recorded> sent = server.requests();
            long holdFrom = sent.get(2).receivedNanos;
            return (int) sent.stream().skip(3)
                    .filter(r -> r.receivedNanos - holdFrom < (HOLD_MILLIS - 1_000) * 1_000_000L).count();
        }
    }

    @Test
    void aHoldOneJvmMetHoldsTheOthers() throws Exception {
        try (RedisServer redis = new RedisServer(null)) {
            assertEquals(0, sentDuringTheHold(redis.url()), "B waited for A's hold");
            // what an SRE sees: the endpoint, and the rate A paces it at (97 % of 10 requests refilled in 4 s)
            ForkedJvm.Result status = AierrCommand.run("", "status", "--coordination", redis.url());
            assertEquals(0, status.exitCode, status.toString());
            assertTrue(status.stdout.contains("2.4 requests/s"), status.stdout);
        }
        assertEquals(1, sentDuringTheHold("local"), "alone, B sends during A's hold");
    }

    @Test
    void theFleetPacesToTheLimitTogether() throws Exception {
        int shared;
        int alone;
        try (RedisServer redis = new RedisServer(null);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            List<ForkedJvm.Result> r = fleet(3, server.authority(), server.url(PATH), redis.url(), "threads=8", "calls=5");
            assertEquals(120, outcome(r, "200"), r.toString());
            shared = server.throttled.get();
            System.out.println("fleet: requests " + server.requests.get() + ", 429s " + shared);
        }
        try (RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            List<ForkedJvm.Result> r = fleet(3, server.authority(), server.url(PATH), "local", "threads=8", "calls=5");
            alone = server.throttled.get();
            System.out.println("local: requests " + server.requests.get() + ", 429s " + alone + ", 200s " + outcome(r, "200"));
        }
        assertTrue(shared < alone, "429s with Redis " + shared + ", alone " + alone);
    }

    @Test
    void redisKilledMidRunFailsNoCallAndWarnsOnce() throws Exception {
        try (RedisServer redis = new RedisServer(null);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            Path signals = Files.createTempDirectory("fleet-signals");
            ExecutorService starter = Executors.newCachedThreadPool();
            try {
                List<Future<ForkedJvm.Result>> running = start(starter, 2, server.authority(), server.url(PATH), signals,
                        redis.url(), "threads=8", "calls=8");
                Signals.send(signals, "go-A");
                Signals.send(signals, "go-B");
                while (server.requests.get() < 2 + 40) {
                    Thread.sleep(10);
                }
                redis.kill();
                List<ForkedJvm.Result> results = results(running);
                assertEquals(128, outcome(results, "200"), results.toString());
                for (ForkedJvm.Result r : results) {
                    assertEquals(1, count(r.stderr, "limits are local to this JVM"), r.stderr);
                }
            } finally {
                starter.shutdownNow();
            }
        }
    }

    @Test
    void aPasswordProtectedRedisIsSharedAndHoldsNoSecretOrPrompt() throws Exception {
        String password = "fleet-pw-8c1f";
        try (RedisServer redis = new RedisServer(password);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            List<ForkedJvm.Result> results = fleet(2, server.authority(), server.url(PATH), redis.url(), "threads=4",
                    "calls=5");
            assertEquals(40, outcome(results, "200"), results.toString());
            String stored = redis.dump();
            assertTrue(stored.contains("aierr:fleet:" + server.authority() + ":"), stored);
            for (String key : redis.cli("--scan").trim().split("\n")) {
                long ttl = Long.parseLong(redis.cli("PTTL", key).trim());
                assertTrue(ttl > 0 && ttl <= 60_000, key + " expires by itself: " + ttl);
            }
            for (String secret : List.of("sk-test-load-key", "question", "warm up", "gpt-4o-mini", password)) {
                assertFalse(stored.contains(secret), secret + " in Redis: " + stored);
            }
            for (ForkedJvm.Result r : results) {
                assertFalse(r.stderr.contains(password), r.stderr);
                assertFalse(r.stderr.contains("limits are local"), r.stderr);
            }
        }
    }

    @Test
    void aWrongPasswordWarnsOnceWithoutPrintingItAndCallsGoOn() throws Exception {
        try (RedisServer redis = new RedisServer("the-right-one");
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            String wrong = "redis://:not-the-right-one@127.0.0.1:" + redis.port;
            List<ForkedJvm.Result> results = fleet(1, server.authority(), server.url(PATH), wrong, "threads=4", "calls=5");
            ForkedJvm.Result r = results.get(0);
            assertEquals(20, outcome(results, "200"), r.toString());
            assertEquals(1, count(r.stderr, "refused the credentials"), r.stderr);
            assertFalse(r.stderr.contains("not-the-right-one"), r.stderr);
            assertTrue(redis.cli("--scan").isBlank(), "nothing stored");
        }
    }

    /** Requests the server got from B once A's breaker opened. */
    private static int sentAfterABreakerOpened(String coordination) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            Path signals = server.signals();
            server.cycle(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM));
            ExecutorService starter = Executors.newCachedThreadPool();
            try {
                // each replica's warm-up meets the outage (2 attempts); A's first call then opens A's breaker
                List<Future<ForkedJvm.Result>> running = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    running.add(starter.submit(ForkedJvm.app(FleetApp.class, "url=" + server.url(PATH),
                            "signals=" + signals, "name=" + name(i), "calls=3")
                            .property("aierr.endpoints", server.authority() + "=openai")
                            .property("aierr.coordination", coordination)
                            .property("aierr.retry.max-attempts", "2")
                            .property("aierr.retry.initial-backoff", "10ms")
                            .property("aierr.breaker.failures", "4")
                            .property("aierr.breaker.open-for", "20s")::run));
                }
                assertTrue(Signals.await(signals, "warm-A") && Signals.await(signals, "warm-B"));
                Signals.send(signals, "go-A");
                assertTrue(Signals.await(signals, "answered-6"), "A's first call met the outage");
                Thread.sleep(500);
                int before = server.requestCount();
                Signals.send(signals, "go-B");
                List<ForkedJvm.Result> results = results(running);
                assertEquals(6, outcome(results, "503") + outcome(results, "503-circuit-open"), results.toString());
                return server.requestCount() - before;
            } finally {
                starter.shutdownNow();
            }
        }
    }

    @Test
    void aBreakerOneJvmOpenedFailsTheOthersFast() throws Exception {
        try (RedisServer redis = new RedisServer(null)) {
            assertEquals(0, sentAfterABreakerOpened(redis.url()), "B answered from its own copy of the outage");
        }
        assertEquals(2, sentAfterABreakerOpened("local"), "alone, B met the outage until its own breaker opened");
    }

    @Test
    void localModeLoadsNoRedisClass() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); RedisServer redis = new RedisServer(null)) {
            server.cycle(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            for (String coordination : List.of("local", redis.url())) {
                ForkedJvm.Result r = ForkedJvm.app(io.aierr.tests.apps.LoadApp.class, "url=" + server.url(PATH))
                        .property("aierr.endpoints", server.authority() + "=openai")
                        .property("aierr.coordination", coordination)
                        .jvmArg("-verbose:class")
                        .run();
                assertEquals("1", r.value("outcome.200"), r.toString());
                boolean loaded = r.stdout.contains("io.aierr.coordination.redis.");
                assertEquals(!"local".equals(coordination), loaded, coordination + ": Redis classes loaded " + loaded);
            }
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
