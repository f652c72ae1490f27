package io.aierr.tests;

import io.aierr.tests.apps.LoadApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.RateLimitedAiServer;
import io.aierr.tests.support.RedisServer;
import io.aierr.tests.support.Replicas;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static io.aierr.tests.support.Replicas.outcome;
import static io.aierr.tests.support.Replicas.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What sharing limits through Redis may never cost ({@link FleetTest} shows what it gains): a call,
 * a secret, a prompt, more than one warning line, or a loaded class in local mode.
 */
class FleetSafetyTest {
    private static final String PATH = "/v1/chat/completions";

    @Test
    void redisKilledMidRunFailsNoCallAndWarnsOnce() throws Exception {
        try (RedisServer redis = new RedisServer(null);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true);
             Replicas fleet = new Replicas(Files.createTempDirectory("replica-signals"))) {
            fleet.start(2, server.url(PATH), settings(server.authority(), redis.url()), "threads=8", "calls=8").goAll();
            while (server.requests.get() < 2 + 40) {
                Thread.sleep(10);
            }
            redis.kill();
            List<ForkedJvm.Result> results = fleet.results();
            assertEquals(128, outcome(results, "200"), results.toString());
            for (ForkedJvm.Result r : results) {
                assertEquals(1, count(r.stderr, "limits are local to this JVM"), r.stderr);
            }
        }
    }

    @Test
    void aPasswordProtectedRedisIsSharedAndHoldsNoSecretOrPrompt() throws Exception {
        String password = "fleet-pw-8c1f";
        try (RedisServer redis = new RedisServer(password);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            List<ForkedJvm.Result> results = Replicas.run(2, server.url(PATH),
                    settings(server.authority(), redis.url()), "threads=4", "calls=5");
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
                // the password was taken (a deadline missed on a busy machine may still warn: not asserted)
                assertFalse(r.stderr.contains("refused the credentials"), r.stderr);
            }
        }
    }

    @Test
    void aWrongPasswordWarnsOnceWithoutPrintingItAndCallsGoOn() throws Exception {
        try (RedisServer redis = new RedisServer("the-right-one");
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            String wrong = "redis://:not-the-right-one@127.0.0.1:" + redis.port;
            ForkedJvm.Result r = Replicas.run(1, server.url(PATH), settings(server.authority(), wrong),
                    "threads=4", "calls=5").get(0);
            assertEquals("20", r.value("outcome.200"), r.toString());
            assertEquals(1, count(r.stderr, "refused the credentials"), r.stderr);
            assertFalse(r.stderr.contains("not-the-right-one"), r.stderr);
            assertTrue(redis.cli("--scan").isBlank(), "nothing stored");
        }
    }

    @Test
    void aTlsRedisIsSharedOverTls() throws Exception {
        try (RedisServer redis = new RedisServer("tls-pw", true);
             RateLimitedAiServer server = new RateLimitedAiServer(20, 5, true)) {
            assertTrue(redis.url().startsWith("rediss://"), redis.url());
            java.util.Map<String, String> settings = settings(server.authority(), redis.url());
            settings.put("javax.net.ssl.trustStore", redis.trustStore().toString());
            settings.put("javax.net.ssl.trustStorePassword", "changeit");
            ForkedJvm.Result r = Replicas.run(1, server.url(PATH), settings, "threads=4", "calls=5").get(0);
            assertEquals("20", r.value("outcome.200"), r.toString());
            // a busy machine may miss a 50 ms deadline now and then; a failed handshake is never that
            assertFalse(r.stderr.contains("cannot be reached") || r.stderr.contains("refused"), r.stderr);
            assertTrue(redis.dump().contains("aierr:fleet:" + server.authority() + ":"), "shared over TLS");
        }
    }

    @Test
    void localModeLoadsNoRedisClass() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); RedisServer redis = new RedisServer(null)) {
            server.cycle(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            for (String coordination : List.of("local", redis.url())) {
                ForkedJvm.Result r = ForkedJvm.app(LoadApp.class, "url=" + server.url(PATH))
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
