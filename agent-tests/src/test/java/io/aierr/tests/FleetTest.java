package io.aierr.tests;

import io.aierr.tests.apps.Signals;
import io.aierr.tests.support.AierrCommand;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.RateLimitedAiServer;
import io.aierr.tests.support.RedisServer;
import io.aierr.tests.support.Replicas;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.aierr.tests.support.TokenLimitedAiServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.aierr.tests.support.Replicas.outcome;
import static io.aierr.tests.support.Replicas.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas of a service that share one API key share its limits through Redis
 * ({@code aierr.coordination}): a 429's hold and an opened breaker reach every JVM, and together
 * they pace to what the server accepts. Each behavior is shown against the same JVMs in local
 * mode. Counts, not timings, are asserted. {@link FleetSafetyTest}: what Redis may never cost.
 */
class FleetTest {
    private static final String PATH = "/v1/chat/completions";
    private static final long HOLD_MILLIS = 4_000;

    /** Requests the server got while the 429 it answered third held the endpoint. */
    private static int sentDuringTheHold(String coordination) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); Replicas fleet = new Replicas(server.signals())) {
            server.then(Reply.status(200).json(Bodies.CHAT_COMPLETION)).then(Reply.status(200).json(Bodies.CHAT_COMPLETION))
                    .then(Reply.status(429).json(Bodies.OPENAI_RATE_LIMIT)
                            .header("retry-after-ms", String.valueOf(HOLD_MILLIS))
                            .header("x-ratelimit-limit-requests", "10")
                            .header("x-ratelimit-remaining-requests", "0")
                            .header("x-ratelimit-reset-requests", HOLD_MILLIS + "ms"))
                    .cycle(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            fleet.start(2, server.url(PATH), settings(server.authority(), coordination));
            // A meets the 429 and holds itself; B, told to call a moment later, is held by A's hold
            fleet.go(0);
            assertTrue(Signals.await(server.signals(), "answered-3"), "A got its 429");
            Thread.sleep(500);
            fleet.go(1);
            List<ForkedJvm.Result> results = fleet.results();
            assertEquals(2, outcome(results, "200"), results.toString());
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
            List<ForkedJvm.Result> r = Replicas.run(3, server.url(PATH), settings(server.authority(), redis.url()),
                    "threads=8", "calls=5");
            assertEquals(120, outcome(r, "200"), r.toString());
            shared = server.throttled.get();
        }
        try (RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            Replicas.run(3, server.url(PATH), settings(server.authority(), "local"), "threads=8", "calls=5");
            alone = server.throttled.get();
        }
        // the margin, for reading in the surefire report
        System.out.println("fleet 429s with Redis " + shared + ", alone " + alone);
        assertTrue(shared < alone, "429s with Redis " + shared + ", alone " + alone);
    }

    @Test
    void statusShowsTheTokensTheFleetSaw() throws Exception {
        try (RedisServer redis = new RedisServer(null);
             TokenLimitedAiServer server = new TokenLimitedAiServer(5_000, 5_000, true)) {
            List<ForkedJvm.Result> r = Replicas.run(2, server.url(PATH), settings(server.authority(), redis.url()),
                    "threads=2", "calls=3", "max-tokens=100-500");
            assertEquals(12, outcome(r, "200"), r.toString());
            ForkedJvm.Result status = AierrCommand.run("", "status", "--coordination", redis.url());
            assertEquals(0, status.exitCode, status.toString());
            assertTrue(status.stdout.contains(" of 5000 left, refilling "), status.stdout);
        }
    }

    /** Requests the server got from B once A's breaker opened. */
    private static int sentAfterABreakerOpened(String coordination) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); Replicas fleet = new Replicas(server.signals())) {
            server.cycle(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM));
            Map<String, String> settings = settings(server.authority(), coordination);
            settings.putAll(Map.of("aierr.retry.max-attempts", "2", "aierr.retry.initial-backoff", "10ms",
                    "aierr.breaker.failures", "4", "aierr.breaker.open-for", "20s"));
            // each replica's warm-up meets the outage (2 attempts); A's first call then opens A's breaker
            fleet.start(2, server.url(PATH), settings, "calls=3");
            fleet.go(0);
            assertTrue(Signals.await(server.signals(), "answered-6"), "A's first call met the outage");
            Thread.sleep(500);
            int before = server.requestCount();
            fleet.go(1);
            List<ForkedJvm.Result> results = fleet.results();
            assertEquals(6, outcome(results, "503") + outcome(results, "503-circuit-open"), results.toString());
            return server.requestCount() - before;
        }
    }

    @Test
    void aBreakerOneJvmOpenedFailsTheOthersFast() throws Exception {
        try (RedisServer redis = new RedisServer(null)) {
            assertEquals(0, sentAfterABreakerOpened(redis.url()), "B answered from its own copy of the outage");
        }
        assertEquals(2, sentAfterABreakerOpened("local"), "alone, B met the outage until its own breaker opened");
    }
}
