package io.aierr.tests;

import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.aierr.tests.support.ScriptedServers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.aierr.tests.support.Bodies.randomBytes;
import static io.aierr.tests.support.Bodies.sha256;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OkHttp 3.14, 4.12 and 5.x, each on its own class path in a forked JVM with the real agent jar,
 * against scripted local servers. The scenario table of the JDK client runs in one JVM per OkHttp
 * version and mode (one server per scenario); each retry scenario also runs without the agent.
 */
class OkHttpClientTest {
    private static final String PATH = "/v1/chat/completions";
    private static final byte[] BIG_ERROR = randomBytes(5 * 1024 * 1024, 1);
    private static final byte[] BIG_SUCCESS = randomBytes(5 * 1024 * 1024, 2);
    private static final List<String> EVENTS = List.of("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n",
            "data: {\"n\":3}\n\n", "data: {\"n\":4}\n\n", "data: [DONE]\n\n");

    /** The OkHttp majors, each with its okio and Kotlin, copied side by side by the build. */
    enum OkHttp {
        V3, V4, V5;

        Path jars() {
            return Paths.get(System.getProperty("okhttp.libs", "target/okhttp"), name().substring(1));
        }
    }

    static Stream<Arguments> versionsAndModes() {
        List<Arguments> all = new ArrayList<>();
        for (OkHttp v : OkHttp.values()) {
            all.add(Arguments.of(v, "execute"));
            all.add(Arguments.of(v, "enqueue"));
        }
        return all.stream();
    }

    private static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE = s -> s
            .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "300").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    /** A 429 that asks for a wait, then the completion. */
    private static Consumer<ScriptedAiServer> rateLimitedFor(int retryAfterSeconds, Reply then) {
        return s -> s.then(Reply.status(429).header("retry-after", String.valueOf(retryAfterSeconds))
                .json(Bodies.OPENAI_RATE_LIMIT)).then(then);
    }

    private static final Reply COMPLETION = Reply.status(200).json(Bodies.CHAT_COMPLETION);
    private static final Scenario LONG_WAIT = () -> new ScriptedServers(PATH)
            .add("waiting", "openai", rateLimitedFor(20, COMPLETION));

    /** One server per scenario of the JDK client's table. */
    private static ScriptedServers scenarioTable() throws Exception {
        return new ScriptedServers(PATH)
                .add("rate-limit", "openai", RATE_LIMITED_TWICE)
                .add("quota", "openai", s -> s
                        .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_INSUFFICIENT_QUOTA))
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .add("queue-full", "pai-eas", s -> s
                        .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .add("exhausted", "pai-eas", s -> s
                        .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #1"))
                        .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #2"))
                        .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #3")))
                .add("bad-request", "openai", s -> s.then(Reply.status(400).json(Bodies.OPENAI_CONTEXT_LENGTH)))
                .add("not-ai", null, RATE_LIMITED_TWICE)
                .add("big-error", "openai", s -> s.then(Reply.status(500).bytes(BIG_ERROR, "application/octet-stream")))
                .add("big-retried", "openai", s -> s
                        .then(Reply.status(503).bytes(BIG_ERROR, "application/octet-stream"))
                        .then(Reply.status(200).bytes(BIG_SUCCESS, "application/octet-stream")))
                .add("sse", "openai", s -> s.then(Reply.status(200).streamed(EVENTS, 300, "text/event-stream")));
    }

    private static ForkedJvm.Result run(OkHttp version, ScriptedServers servers, boolean agent, String... appArgs)
            throws Exception {
        List<String> args = new ArrayList<>(servers.callArgs());
        args.addAll(List.of(appArgs));
        return ForkedJvm.app(OkHttpClientApp.class, args.toArray(String[]::new))
                .agent(agent)
                .jarsIn(version.jars())
                .property("aierr.endpoints", servers.endpoints())
                .property("aierr.retry.max-attempts", "3")
                .property("aierr.retry.initial-backoff", "20ms")
                .run();
    }

    /** A fresh set of scripted servers: scripts are used up by one run. */
    interface Scenario {
        ScriptedServers servers() throws Exception;
    }

    /** What the app printed, and what its servers saw. */
    record Played(ForkedJvm.Result app, ScriptedServers servers) {
        int requests(String name) {
            return servers.get(name).requestCount();
        }
    }

    private static Played play(OkHttp version, Scenario scenario, boolean agent, String... appArgs) throws Exception {
        try (ScriptedServers servers = scenario.servers()) {
            return new Played(run(version, servers, agent, appArgs), servers);
        }
    }

    private static long gapMillis(List<Recorded> requests, int later) {
        return (requests.get(later).receivedNanos - requests.get(later - 1).receivedNanos) / 1_000_000;
    }

    @ParameterizedTest(name = "OkHttp {0} {1}")
    @MethodSource("versionsAndModes")
    void theScenarioTableOfTheJdkClient(OkHttp version, String mode) throws Exception {
        Played played = play(version, OkHttpClientTest::scenarioTable, true, "mode=" + mode);
        ForkedJvm.Result app = played.app;
        ScriptedServers servers = played.servers;
        List<Recorded> rateLimit = servers.get("rate-limit").requests();
        assertAll(app.toString(),
                // 429 retry-after -> 200, waits honored, one kept-alive connection
                () -> assertEquals("200", app.value("rate-limit.status")),
                () -> assertEquals(Bodies.CHAT_COMPLETION, app.value("rate-limit.body")),
                () -> assertEquals(3, rateLimit.size()),
                () -> assertTrue(gapMillis(rateLimit, 1) >= 950, "retry-after: 1 honored"),
                () -> assertTrue(gapMillis(rateLimit, 2) >= 280, "retry-after-ms: 300 honored"),
                () -> assertEquals(rateLimit.get(0).bodyText(), rateLimit.get(2).bodyText(), "same body resent"),
                () -> assertEquals(rateLimit.get(0).clientPort, rateLimit.get(2).clientPort, "connection reused"),
                // a spent quota is delivered at once, marked so that SDKs do not retry it either
                () -> assertEquals("429", app.value("quota.status")),
                () -> assertEquals(Bodies.OPENAI_INSUFFICIENT_QUOTA, app.value("quota.body")),
                () -> assertEquals(1, servers.get("quota").requestCount()),
                () -> assertEquals("false", app.value("quota.x-should-retry")),
                // PAI-EAS 450 queue full -> 200
                () -> assertEquals("200", app.value("queue-full.status")),
                () -> assertEquals(2, servers.get("queue-full").requestCount()),
                // 503 until max-attempts: the last response, unchanged but for the marker header
                () -> assertEquals("503", app.value("exhausted.status")),
                () -> assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", app.value("exhausted.body")),
                () -> assertEquals(3, servers.get("exhausted").requestCount()),
                () -> assertEquals("false", app.value("exhausted.x-should-retry")),
                // 400 is not retried and not marked
                () -> assertEquals("400", app.value("bad-request.status")),
                () -> assertEquals(Bodies.OPENAI_CONTEXT_LENGTH, app.value("bad-request.body")),
                () -> assertEquals(1, servers.get("bad-request").requestCount()),
                () -> assertEquals("null", app.value("bad-request.x-should-retry")),
                // other hosts pass untouched
                () -> assertEquals("429", app.value("not-ai.status")),
                () -> assertEquals(1, servers.get("not-ai").requestCount()),
                // 5 MB bodies: a final error reaches the app byte for byte, a dropped one is released
                () -> assertEquals(sha256(BIG_ERROR), app.value("big-error.body.sha256")),
                () -> assertEquals(String.valueOf(BIG_ERROR.length), app.value("big-error.body.length")),
                () -> assertEquals("200", app.value("big-retried.status")),
                () -> assertEquals(sha256(BIG_SUCCESS), app.value("big-retried.body.sha256")),
                () -> assertEquals(2, servers.get("big-retried").requestCount()),
                // a stream reaches the app as it arrives
                () -> assertEquals("200", app.value("sse.status")),
                () -> assertTrue(Long.parseLong(app.value("sse.last-byte.ms"))
                        - Long.parseLong(app.value("sse.first-byte.ms")) >= 900, "not buffered"),
                // no response left open: every pooled connection is idle once the app is done
                () -> assertEquals(app.value("pool.connections"), app.value("pool.idle"), "no leaked connection"));
        if ("enqueue".equals(mode)) {
            assertEquals("true", app.value("rate-limit.same-call"), "the callback hears of the app's own call");
            assertTrue(app.value("rate-limit.callback-thread").startsWith("OkHttp"), "called back on a dispatcher thread");
        }
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void withoutTheAgentTheRetriedScenariosFail(OkHttp version) throws Exception {
        Played played = play(version, OkHttpClientTest::scenarioTable, false);
        ForkedJvm.Result app = played.app;
        ScriptedServers servers = played.servers;
        assertAll(app.toString(),
                () -> assertEquals("429", app.value("rate-limit.status")),
                () -> assertEquals(1, servers.get("rate-limit").requestCount()),
                () -> assertEquals("null", app.value("quota.x-should-retry")),
                () -> assertEquals("450", app.value("queue-full.status")),
                () -> assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #1", app.value("exhausted.body")),
                () -> assertEquals("503", app.value("big-retried.status")),
                () -> assertEquals(sha256(BIG_ERROR), app.value("big-retried.body.sha256")));
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void worksOnJdk25(OkHttp version) throws Exception {
        Optional<Path> jdk25 = ForkedJvm.jdk25();
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        try (ScriptedServers servers = new ScriptedServers(PATH).add("rate-limit", "openai", RATE_LIMITED_TWICE)) {
            ForkedJvm.Result app = ForkedJvm.app(OkHttpClientApp.class, servers.callArgs().toArray(String[]::new))
                    .javaHome(jdk25.get())
                    .jarsIn(version.jars())
                    .property("aierr.endpoints", servers.endpoints())
                    .run();
            assertEquals("200", app.value("rate-limit.status"), app.toString());
            assertEquals(3, servers.get("rate-limit").requestCount());
            assertFalse(app.stderr.contains("WARNING"), app.stderr);
        }
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void oneShotRequestBodiesAreNotRetried(OkHttp version) throws Exception {
        Played with = play(version, () -> new ScriptedServers(PATH).add("one-shot", "openai", RATE_LIMITED_TWICE),
                true, "request-body=one-shot");
        ForkedJvm.Result app = with.app;
        assertEquals("429", app.value("one-shot.status"), app.toString());
        assertEquals(1, with.requests("one-shot"));
        assertEquals("null", app.value("one-shot.x-should-retry"), "left to the app, which may replay it itself");
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void derivedClientsAreRetriedOnceNotOncePerDerivation(OkHttp version) throws Exception {
        Scenario scenario = () -> new ScriptedServers(PATH).add("cloned", "openai", RATE_LIMITED_TWICE);
        Played with = play(version, scenario, true, "client=clone");
        assertEquals("200", with.app.value("cloned.status"), with.app.toString());
        assertEquals(3, with.requests("cloned"));

        Played without = play(version, scenario, false, "client=clone");
        assertEquals("429", without.app.value("cloned.status"), without.app.toString());
    }

    @ParameterizedTest(name = "OkHttp {0} {1}")
    @MethodSource("versionsAndModes")
    void cancellingTheCallStopsTheWait(OkHttp version, String mode) throws Exception {
        Played with = play(version, LONG_WAIT, true, "mode=" + mode, "cancel-after-ms=2000");
        assertEquals("java.io.IOException: Canceled", with.app.value("waiting.exception"), with.app.toString());
        assertTrue(Long.parseLong(with.app.value("waiting.elapsed.ms")) < 15_000, "stopped waiting when cancelled");
        assertEquals(1, with.requests("waiting"));
        if ("enqueue".equals(mode)) {
            assertEquals("true", with.app.value("waiting.same-call"));
            return;
        }
        Played without = play(version, LONG_WAIT, false, "cancel-after-ms=2000");
        assertEquals("429", without.app.value("waiting.status"), "without a wait there is nothing to cancel");
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void interruptingTheCallerDuringTheWaitThrowsInterruptedIOException(OkHttp version) throws Exception {
        Played with = play(version, LONG_WAIT, true, "interrupt-after-ms=2000");
        assertEquals("java.io.InterruptedIOException: interrupted", with.app.value("waiting.exception"),
                with.app.toString());
        assertEquals("true", with.app.value("waiting.interrupted.flag"), "the interrupt stays visible");
        assertEquals(1, with.requests("waiting"));

        Played without = play(version, LONG_WAIT, false, "interrupt-after-ms=2000");
        assertEquals("429", without.app.value("waiting.status"), "without a wait there is nothing to interrupt");
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void theCallTimeoutBoundsAllAttempts(OkHttp version) throws Exception {
        Scenario scenario = () -> new ScriptedServers(PATH)
                .add("hint-too-long", "openai", rateLimitedFor(5, COMPLETION))
                // the body ends after two pauses: 2.8 s
                .add("slow-retry", "openai", rateLimitedFor(2,
                        Reply.status(200).streamed(List.of("{\"a\":", "1}"), 1_400, "application/json")));
        Played with = play(version, scenario, true, "call-timeout-ms=4000");
        // a wait longer than the call has left is not started: the app gets the 429 at once
        assertEquals("429", with.app.value("hint-too-long.status"), with.app.toString());
        assertEquals(1, with.requests("hint-too-long"));
        // the retry gets what is left of the call timeout (2 s), not a fresh 4 s for its 2.8 s body
        assertNotNull(with.app.value("slow-retry.exception"), with.app.toString());
        assertEquals(2, with.requests("slow-retry"));

        Played without = play(version, scenario, false, "call-timeout-ms=4000");
        assertEquals("429", without.app.value("slow-retry.status"), without.app.toString());
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void asyncWaitsHoldNoDispatcherSlot(OkHttp version) throws Exception {
        try (ScriptedServers servers = new ScriptedServers(PATH)
                .add("waits", "openai", rateLimitedFor(2, COMPLETION))
                .add("meanwhile", "openai", s -> s.then(COMPLETION))) {
            // one call at a time: a waiting retry that kept its slot would hold up the second call
            ForkedJvm.Result app = run(version, servers, true, "mode=concurrent", "max-requests=1");
            assertEquals("200", app.value("waits.status"), app.toString());
            assertEquals("200", app.value("meanwhile.status"), app.toString());
            long retrySent = servers.get("waits").requests().get(1).receivedNanos;
            long otherSent = servers.get("meanwhile").requests().get(0).receivedNanos;
            assertTrue(otherSent < retrySent, "the other call ran during the wait");
        }
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void aClientBuiltBeforeTheAgentAttachedIsRetried(OkHttp version) throws Exception {
        try (ScriptedServers servers = new ScriptedServers(PATH)
                .add("before", "openai", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)))
                .add("after", "openai", s -> s
                        .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))) {
            ForkedJvm.Result app = ForkedJvm.app(OkHttpClientApp.class,
                            servers.callArgs().get(0), servers.callArgs().get(1),
                            "attach-after-first-call=" + ForkedJvm.agentJar())
                    .withoutAgent()
                    .jarsIn(version.jars())
                    .jvmArg("-Djdk.attach.allowAttachSelf=true")
                    .property("aierr.endpoints", servers.endpoints().replace("=openai", "=pai-eas"))
                    .property("aierr.retry.initial-backoff", "10ms")
                    .run();
            assertEquals("450", app.value("before.status"), app.toString());
            assertEquals("200", app.value("after.status"), app.toString());
            assertEquals(2, servers.get("after").requestCount());
            assertNull(app.value("after.exception"));
        }
    }
}
