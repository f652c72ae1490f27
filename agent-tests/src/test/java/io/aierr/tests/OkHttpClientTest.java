package io.aierr.tests;

import io.aierr.tests.apps.IsolatedLoaderLauncher;
import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
 * version and mode; each retry scenario also runs without the agent.
 */
class OkHttpClientTest {
    private static final String PATH = "/v1/chat/completions";
    private static final int MAX_ATTEMPTS = 3;
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

    private static final Reply COMPLETION = Reply.status(200).json(Bodies.CHAT_COMPLETION);
    private static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE = s -> s
            .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "300").json(Bodies.OPENAI_RATE_LIMIT))
            .then(COMPLETION);

    /** A 429 that asks for a wait, then {@code then}. */
    private static Consumer<ScriptedAiServer> rateLimitedFor(int retryAfterSeconds, Reply then) {
        return s -> s.then(Reply.status(429).header("retry-after", String.valueOf(retryAfterSeconds))
                .json(Bodies.OPENAI_RATE_LIMIT)).then(then);
    }

    /** The JDK client's table: one server per scenario. */
    private static ScenarioTable scenarioTable() {
        return new ScenarioTable(PATH)
                .scenario("rate_limited", RATE_LIMITED_TWICE)
                .scenario("quota", s -> s.then(Reply.status(429).header("retry-after", "1")
                        .json(Bodies.OPENAI_INSUFFICIENT_QUOTA)).then(COMPLETION))
                .scenario("queue_full", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)).then(COMPLETION))
                .scenario("unavailable", s -> s
                        .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #1"))
                        .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #2"))
                        .then(Reply.status(503).header("x-last", "yes").text(Bodies.NO_HEALTHY_UPSTREAM + " #3")))
                .scenario("bad_request", s -> s.then(Reply.status(400).json(Bodies.OPENAI_CONTEXT_LENGTH)))
                .otherHost("other_host", RATE_LIMITED_TWICE)
                .scenario("big_error", s -> s.then(Reply.status(500).bytes(BIG_ERROR, "application/octet-stream")))
                .scenario("big_retried", s -> s.then(Reply.status(503).bytes(BIG_ERROR, "application/octet-stream"))
                        .then(Reply.status(200).bytes(BIG_SUCCESS, "application/octet-stream")))
                .scenario("streaming", s -> s.then(Reply.status(200).streamedUntilRead(EVENTS, "text/event-stream")),
                        "read=lines");
    }

    private static Played play(OkHttp version, ScenarioTable table, boolean agent, String... options)
            throws Exception {
        return table.play(OkHttpClientApp.class, jvm -> {
            jvm.agent(agent).jarsIn(version.jars())
                    .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                    .property("aierr.retry.initial-backoff", "20ms");
            // options for every call ride on the first call's line
            for (String option : options) {
                jvm.arg(option);
            }
            return jvm;
        });
    }

    private static long gapMillis(List<Recorded> requests, int later) {
        return (requests.get(later).receivedNanos - requests.get(later - 1).receivedNanos) / 1_000_000;
    }

    @ParameterizedTest(name = "OkHttp {0} {1}")
    @MethodSource("versionsAndModes")
    void theScenarioTableOfTheJdkClient(OkHttp version, String mode) throws Exception {
        Played with = play(version, scenarioTable(), true, "mode=" + mode);
        List<Recorded> rateLimited = with.requests("rate_limited");
        assertAll(with.toString(),
                // 429 retry-after -> 200, waits honored, one kept-alive connection
                () -> assertEquals("200", with.value("rate_limited", "status")),
                () -> assertEquals(Bodies.CHAT_COMPLETION, with.value("rate_limited", "body")),
                () -> assertEquals(3, rateLimited.size()),
                () -> assertTrue(gapMillis(rateLimited, 1) >= 950, "retry-after: 1 honored"),
                () -> assertTrue(gapMillis(rateLimited, 2) >= 280, "retry-after-ms: 300 honored"),
                () -> assertEquals(rateLimited.get(0).bodyText(), rateLimited.get(2).bodyText(), "same body resent"),
                () -> assertEquals(rateLimited.get(0).clientPort, rateLimited.get(2).clientPort, "connection reused"),
                // a spent quota is delivered at once, marked so that SDKs do not retry it either
                () -> assertEquals("429", with.value("quota", "status")),
                () -> assertEquals(Bodies.OPENAI_INSUFFICIENT_QUOTA, with.value("quota", "body")),
                () -> assertEquals(1, with.requests("quota").size()),
                () -> assertEquals("false", with.value("quota", "x-should-retry")),
                // PAI-EAS 450 queue full -> 200
                () -> assertEquals("200", with.value("queue_full", "status")),
                () -> assertEquals(2, with.requests("queue_full").size()),
                // 503 until max-attempts: the last response, unchanged but for the marker header
                () -> assertEquals("503", with.value("unavailable", "status")),
                () -> assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", with.value("unavailable", "body")),
                () -> assertEquals("yes", with.value("unavailable", "x-last")),
                () -> assertEquals(MAX_ATTEMPTS, with.requests("unavailable").size()),
                () -> assertEquals("false", with.value("unavailable", "x-should-retry")),
                // 400 is not retried and not marked
                () -> assertEquals("400", with.value("bad_request", "status")),
                () -> assertEquals(Bodies.OPENAI_CONTEXT_LENGTH, with.value("bad_request", "body")),
                () -> assertEquals(1, with.requests("bad_request").size()),
                () -> assertEquals("null", with.value("bad_request", "x-should-retry")),
                // other hosts pass untouched
                () -> assertEquals("429", with.value("other_host", "status")),
                () -> assertEquals(1, with.requests("other_host").size()),
                // 5 MB bodies: a final error reaches the app byte for byte, a dropped one is released
                () -> assertEquals(sha256(BIG_ERROR), with.value("big_error", "body.sha256")),
                () -> assertEquals(String.valueOf(BIG_ERROR.length), with.value("big_error", "body.length")),
                () -> assertEquals("200", with.value("big_retried", "status")),
                () -> assertEquals(sha256(BIG_SUCCESS), with.value("big_retried", "body.sha256")),
                () -> assertEquals(2, with.requests("big_retried").size()),
                // a stream reaches the app as it arrives: its first line while the server holds the rest
                () -> assertEquals("200", with.value("streaming", "status")),
                () -> assertEquals(String.join("", EVENTS), with.value("streaming", "body").replace("\\n", "\n")),
                () -> assertTrue(with.requests("streaming").get(0).restWaitedForTheApp, "not buffered"));
        // no response left open: once each call is done, no pooled connection is still in use
        for (String line : with.app.stdout.split("\n")) {
            if (line.contains(".leased=")) {
                assertTrue(line.endsWith(".leased=0"), line + "\n" + with);
            }
        }
        if ("enqueue".equals(mode)) {
            assertEquals("true", with.value("rate_limited", "same-call"), "the callback hears of the app's own call");
            assertTrue(with.value("rate_limited", "callback-thread").startsWith("OkHttp"), "on a dispatcher thread");
        }
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void withoutTheAgentTheRetriedScenariosFail(OkHttp version) throws Exception {
        Played without = play(version, scenarioTable(), false);
        assertAll(without.toString(),
                () -> assertEquals("429", without.value("rate_limited", "status")),
                () -> assertEquals(1, without.requests("rate_limited").size()),
                () -> assertEquals("null", without.value("quota", "x-should-retry")),
                () -> assertEquals("450", without.value("queue_full", "status")),
                () -> assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #1", without.value("unavailable", "body")),
                () -> assertEquals("503", without.value("big_retried", "status")),
                () -> assertEquals(sha256(BIG_ERROR), without.value("big_retried", "body.sha256")));
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void worksOnJdk25(OkHttp version) throws Exception {
        Optional<Path> jdk25 = ForkedJvm.jdk25();
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        Played with = new ScenarioTable(PATH).scenario("rate_limited", RATE_LIMITED_TWICE)
                .play(OkHttpClientApp.class, jvm -> jvm.javaHome(jdk25.get()).jarsIn(version.jars()));
        assertEquals("200", with.value("rate_limited", "status"), with.toString());
        assertEquals(3, with.requests("rate_limited").size());
        assertFalse(with.app.stderr.contains("WARNING"), with.app.stderr);
    }

    /** One-row tables for what needs options of its own. */
    private static ScenarioTable single(String name, Consumer<ScriptedAiServer> script) {
        return new ScenarioTable(PATH).scenario(name, script);
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void oneShotRequestBodiesAreNotRetried(OkHttp version) throws Exception {
        Played with = play(version, single("one_shot", RATE_LIMITED_TWICE), true, "request-body=stream");
        assertEquals("429", with.value("one_shot", "status"), with.toString());
        assertEquals(1, with.requests("one_shot").size());
        assertEquals("null", with.value("one_shot", "x-should-retry"), "left to the app, which may replay it itself");
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void derivedClientsAreRetriedOnceNotOncePerDerivation(OkHttp version) throws Exception {
        Played with = play(version, single("derived", RATE_LIMITED_TWICE), true, "client=derived");
        assertEquals("200", with.value("derived", "status"), with.toString());
        assertEquals(3, with.requests("derived").size());

        Played without = play(version, single("derived", RATE_LIMITED_TWICE), false, "client=derived");
        assertEquals("429", without.value("derived", "status"), without.toString());
    }

    private static final Consumer<ScriptedAiServer> LONG_WAIT = rateLimitedFor(20, COMPLETION);

    @ParameterizedTest(name = "OkHttp {0} {1}")
    @MethodSource("versionsAndModes")
    void cancellingTheCallStopsTheWait(OkHttp version, String mode) throws Exception {
        Played with = play(version, single("waiting", LONG_WAIT), true, "mode=" + mode, "cancel-when=answered-1");
        assertEquals("java.io.IOException: Canceled", with.value("waiting", "exception"), with.toString());
        // not after the 20 s asked, and without a retry; no run without the agent, whose call is over
        // once the 429 is read: a cancel timed after that read could only race the client's own read
        assertTrue(Long.parseLong(with.value("waiting", "elapsed.ms")) < 15_000, "stopped waiting when cancelled");
        assertEquals(1, with.requests("waiting").size());
        if ("enqueue".equals(mode)) {
            assertEquals("true", with.value("waiting", "same-call"));
        }
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void interruptingTheCallerDuringTheWaitThrowsInterruptedIOException(OkHttp version) throws Exception {
        Played with = play(version, single("waiting", LONG_WAIT), true, "interrupt-when=answered-1");
        assertEquals("java.io.InterruptedIOException: interrupted", with.value("waiting", "exception"),
                with.toString());
        assertEquals("true", with.value("waiting", "interrupted.flag"), "the interrupt stays visible");
        assertTrue(Long.parseLong(with.value("waiting", "elapsed.ms")) < 15_000, "stopped waiting when interrupted");
        assertEquals(1, with.requests("waiting").size());
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void theCallTimeoutBoundsAllAttempts(OkHttp version) throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("hint_too_long", rateLimitedFor(5, COMPLETION))
                // the body ends after two pauses: 2.8 s
                .scenario("slow_retry", rateLimitedFor(2,
                        Reply.status(200).streamed(List.of("{\"a\":", "1}"), 1_400, "application/json")));
        Played with = play(version, table, true, "timeout-ms=4000");
        // a wait longer than the call has left is not started: the app gets the 429 at once
        assertEquals("429", with.value("hint_too_long", "status"), with.toString());
        assertEquals(1, with.requests("hint_too_long").size());
        // the retry gets what is left of the call timeout (2 s), not a fresh 4 s for its 2.8 s body
        assertNotNull(with.value("slow_retry", "exception"), with.toString());
        assertEquals(2, with.requests("slow_retry").size());

        Played without = play(version, table, false, "timeout-ms=4000");
        assertEquals("429", without.value("slow_retry", "status"), without.toString());
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void asyncWaitsHoldNoDispatcherSlot(OkHttp version) throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("waits", rateLimitedFor(2, COMPLETION))
                .scenario("meanwhile", s -> s.then(COMPLETION));
        // one call at a time: a waiting retry that kept its slot would hold up the second call
        Played with = play(version, table, true, "mode=concurrent", "max-requests=1");
        assertEquals("200", with.value("waits", "status"), with.toString());
        assertEquals("200", with.value("meanwhile", "status"), with.toString());
        long retrySent = with.requests("waits").get(1).receivedNanos;
        long otherSent = with.requests("meanwhile").get(0).receivedNanos;
        assertTrue(otherSent < retrySent, "the other call ran during the wait");
    }

    /** As in a Spring Boot jar: OkHttp and the app in a child loader that the agent's loader cannot see into. */
    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void aClientInAChildLoaderIsRetried(OkHttp version) throws Exception {
        String jars;
        try (Stream<Path> files = Files.list(version.jars())) {
            jars = files.map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        }
        Played isolated = single("rate_limited", RATE_LIMITED_TWICE).play(IsolatedLoaderLauncher.class, jvm -> jvm
                .property("launcher.app", OkHttpClientApp.class.getName())
                .property("launcher.jars", jars)
                .arg("mode=enqueue"));
        assertEquals("child", isolated.app.value("loader.app"), isolated.toString());
        assertEquals("200", isolated.value("rate_limited", "status"), isolated.toString());
        assertEquals(3, isolated.requests("rate_limited").size());
        assertFalse(isolated.app.stderr.contains("unobserved"), isolated.app.stderr);
    }

    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void aClientBuiltBeforeTheAgentAttachedIsRetried(OkHttp version) throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("before", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)))
                .scenario("after", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)).then(COMPLETION));
        Played played = table.play(OkHttpClientApp.class, jvm -> jvm.withoutAgent().jarsIn(version.jars())
                .jvmArg("-Djdk.attach.allowAttachSelf=true")
                // the JVM waits 10 s by default for its own attach listener, which a loaded machine may start later
                .property("sun.tools.attach.attachTimeout", "120000")
                .property("aierr.retry.initial-backoff", "10ms")
                .arg("attach-after-first-call=" + ForkedJvm.agentJar()));
        assertEquals("450", played.value("before", "status"), played.toString());
        assertEquals("200", played.value("after", "status"), played.toString());
        assertEquals(2, played.requests("after").size());
        assertNull(played.value("after", "exception"));
    }
}
