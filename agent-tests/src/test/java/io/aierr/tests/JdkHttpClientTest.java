package io.aierr.tests;

import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.apps.JdkTableApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static io.aierr.tests.support.Bodies.randomBytes;
import static io.aierr.tests.support.Bodies.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK client in a forked JVM with the real agent jar, against a scripted local server. Each
 * retry scenario also runs without the agent, to show the assertion can fail.
 */
class JdkHttpClientTest {
    private static final String PATH = "/v1/chat/completions";

    /** Runs the app against a freshly scripted server; the agent treats the server as openai. */
    private static Run run(Consumer<ScriptedAiServer> script, boolean agent, String... appArgs) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            script.accept(server);
            ForkedJvm jvm = ForkedJvm.app(JdkClientApp.class, withUrl(server, appArgs))
                    .agent(agent)
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.retry.initial-backoff", "20ms");
            ForkedJvm.Result result = jvm.run();
            return new Run(result, server.requests());
        }
    }

    private static String[] withUrl(ScriptedAiServer server, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "url=" + server.url(PATH);
        all[1] = "signals=" + server.signals();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    record Run(ForkedJvm.Result app, List<ScriptedAiServer.Recorded> requests) {
        String status() {
            return app.value("status");
        }
    }

    private static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE = server -> server
            .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "300").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    @Test
    void rateLimitWithRetryAfterIsRetriedUntilSuccess() throws Exception {
        Run with = run(RATE_LIMITED_TWICE, true);
        assertEquals("200", with.status(), with.app.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.app.value("body"));
        assertEquals(3, with.requests.size());
        long firstGapMillis = (with.requests.get(1).receivedNanos - with.requests.get(0).receivedNanos) / 1_000_000;
        assertTrue(firstGapMillis >= 950, "retry-after: 1 honored, waited " + firstGapMillis + "ms");
        long secondGapMillis = (with.requests.get(2).receivedNanos - with.requests.get(1).receivedNanos) / 1_000_000;
        assertTrue(secondGapMillis >= 280, "retry-after-ms: 300 honored, waited " + secondGapMillis + "ms");
        for (ScriptedAiServer.Recorded r : with.requests) {
            assertEquals(with.requests.get(0).bodyText(), r.bodyText(), "every attempt sends the same body");
            // a dropped response was read to its end, so its connection went back to the pool
            assertEquals(with.requests.get(0).clientPort, r.clientPort, "attempts reuse one connection");
        }

        Run without = run(RATE_LIMITED_TWICE, false);
        assertEquals("429", without.status());
        assertEquals(1, without.requests.size());
    }

    @Test
    void insufficientQuotaIsNotRetried() throws Exception {
        Run with = run(s -> s.then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_INSUFFICIENT_QUOTA))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)), true);
        assertEquals("429", with.status(), with.app.toString());
        assertEquals(Bodies.OPENAI_INSUFFICIENT_QUOTA, with.app.value("body"));
        assertEquals(1, with.requests.size());
    }

    private static final Consumer<ScriptedAiServer> QUEUE_FULL_ONCE = server -> server
            .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    @Test
    void paiEasQueueFullIsRetried() throws Exception {
        Run with = run(QUEUE_FULL_ONCE, true);
        assertEquals("200", with.status(), with.app.toString());
        assertEquals(2, with.requests.size());

        Run without = run(QUEUE_FULL_ONCE, false);
        assertEquals("450", without.status());
        assertEquals(Bodies.PAI_EAS_QUEUE_FULL, without.app.value("body"));
    }

    @Test
    void persistent503StopsAtMaxAttemptsAndDeliversTheLastResponseUnchanged() throws Exception {
        Consumer<ScriptedAiServer> script = s -> s
                .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #1"))
                .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #2"))
                .then(Reply.status(503).header("x-last", "yes").text(Bodies.NO_HEALTHY_UPSTREAM + " #3"));
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            script.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.endpoints", server.authority() + "=pai-eas")
                    .property("aierr.retry.max-attempts", "3")
                    .property("aierr.retry.initial-backoff", "10ms")
                    .run();
            assertEquals("503", app.value("status"), app.toString());
            assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", app.value("body"));
            assertEquals(3, server.requestCount());
        }
        Run without = run(script, false);
        assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #1", without.app.value("body"));
    }

    @Test
    void callsToOtherHostsAreUntouched() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            RATE_LIMITED_TWICE.accept(server);
            // no aierr.endpoints: 127.0.0.1 is not an AI endpoint
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH)).run();
            assertEquals("429", app.value("status"), app.toString());
            assertEquals(1, server.requestCount());
        }
    }

    /** Every handler in one JVM with aierr and one without: a JVM start each would be most of the time. */
    @Test
    void everyBodyHandlerSeesOnlyTheFinalResponse() throws Exception {
        List<String> handlers = List.of("string", "bytes", "stream", "lines", "publisher", "file");
        ScenarioTable table = new ScenarioTable(PATH);
        ScenarioTable retriedOnly = new ScenarioTable(PATH);
        for (String handler : handlers) {
            table.scenario(handler + "-retried", RATE_LIMITED_TWICE, "handler=" + handler)
                    .scenario(handler + "-final-error", s -> s.then(Reply.status(400).json(Bodies.OPENAI_CONTEXT_LENGTH)),
                            "handler=" + handler);
            retriedOnly.scenario(handler + "-retried", RATE_LIMITED_TWICE, "handler=" + handler);
        }
        Played with = table.play(JdkTableApp.class, jvm -> jvm.property("aierr.retry.initial-backoff", "20ms"));
        Played without = retriedOnly.play(JdkTableApp.class, ForkedJvm::withoutAgent);
        for (String handler : handlers) {
            String retried = handler + "-retried";
            assertEquals("200", with.value(retried, "status"), handler + "\n" + with);
            assertEquals(sha256(asSeenBy(handler, Bodies.CHAT_COMPLETION)), with.value(retried, "body.sha256"), handler);
            assertEquals(3, with.requests(retried).size(), handler);
            assertEquals(sha256(asSeenBy(handler, Bodies.OPENAI_RATE_LIMIT)), without.value(retried, "body.sha256"),
                    handler + "\n" + without);

            String finalError = handler + "-final-error";
            assertEquals("400", with.value(finalError, "status"), handler + "\n" + with);
            assertEquals(sha256(asSeenBy(handler, Bodies.OPENAI_CONTEXT_LENGTH)), with.value(finalError, "body.sha256"),
                    handler);
            assertEquals(1, with.requests(finalError).size(), handler);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes", "stream"})
    void largeBodiesReachTheAppByteIdentical(String handler) throws Exception {
        byte[] bigError = randomBytes(5 * 1024 * 1024, 1);
        byte[] bigSuccess = randomBytes(5 * 1024 * 1024, 2);
        Run error = run(s -> s.then(Reply.status(500).bytes(bigError, "application/octet-stream")), true,
                "handler=" + handler, "request-body=none");
        assertEquals("500", error.status(), error.app.toString());
        assertEquals(sha256(bigError), error.app.value("body.sha256"));
        assertEquals(String.valueOf(bigError.length), error.app.value("body.length"));

        Run retried = run(s -> s.then(Reply.status(503).bytes(bigError, "application/octet-stream"))
                .then(Reply.status(200).bytes(bigSuccess, "application/octet-stream")), true,
                "handler=" + handler, "request-body=none");
        assertEquals("200", retried.status(), retried.app.toString());
        assertEquals(2, retried.requests.size());
        assertEquals(sha256(bigSuccess), retried.app.value("body.sha256"));
        assertEquals(String.valueOf(bigSuccess.length), retried.app.value("body.length"));
    }

    @Test
    void asyncCallsAreRetriedToo() throws Exception {
        Run with = run(RATE_LIMITED_TWICE, true, "mode=async");
        assertEquals("200", with.status(), with.app.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.app.value("body"));
        assertEquals(3, with.requests.size());

        Run without = run(RATE_LIMITED_TWICE, false, "mode=async");
        assertEquals("429", without.status());
    }

    @Test
    void cancellingTheAsyncFutureStopsPendingRetries() throws Exception {
        Consumer<ScriptedAiServer> script = s -> s
                .then(Reply.status(429).header("retry-after", "2").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
        // cancelled once the 429 is answered; the app then stays over a second past the retry-after
        Run cancelled = run(script, true, "mode=async", "cancel-when=answered-1", "linger-ms=3000");
        assertEquals("true", cancelled.app.value("cancelled"), cancelled.app.toString());
        assertEquals(1, cancelled.requests.size(), "no attempt after the app cancelled");

        Run notCancelled = run(script, true, "mode=async");
        assertEquals("200", notCancelled.status(), notCancelled.app.toString());
        assertEquals(2, notCancelled.requests.size(), "the retry happens when nobody cancels");
    }

    @Test
    void interruptingTheCallerDuringBackoffThrowsInterruptedException() throws Exception {
        Consumer<ScriptedAiServer> script = s -> s
                .then(Reply.status(429).header("retry-after", "20").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
        Run with = run(script, true, "interrupt-when=answered-1");
        assertNotNull(with.app.value("exception"), with.app.toString());
        assertTrue(with.app.value("exception").startsWith("java.lang.InterruptedException"), with.app.toString());
        // not after the 20 s asked, and without a retry
        assertTrue(Long.parseLong(with.app.value("elapsed.ms")) < 15_000, "stopped waiting when interrupted");
        assertEquals(1, with.requests.size());
        // No run without the agent: its call is over once the 429 is read, and an interrupt timed
        // after that read could only race the client's own read on a loaded machine.
    }

    private static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE_BRIEFLY = server -> server
            .then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    /** Every request the server saw carries exactly the bytes the app's body holds. */
    private static void assertSameBodyEachTime(Run run) throws Exception {
        for (ScriptedAiServer.Recorded r : run.requests) {
            assertEquals(run.app.value("request.sha256"), sha256(r.body), run.app.toString());
            assertEquals(run.app.value("request.length"), String.valueOf(r.body.length));
        }
    }

    /**
     * ofInputStream over one stream, and fromPublisher of a publisher that serves one subscriber:
     * neither can be sent twice by the client, so aierr replays what it captured on the first send.
     */
    @ParameterizedTest
    @CsvSource({"stream,send", "stream,async", "publisher,send", "publisher,async"})
    void bodiesTheJdkCannotRecreateAreReplayedFromTheirFirstSend(String body, String mode) throws Exception {
        Run with = run(RATE_LIMITED_TWICE_BRIEFLY, true, "request-body=" + body, "request-size=200000", "mode=" + mode);
        assertEquals("200", with.status(), with.app.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.app.value("body"));
        assertEquals(3, with.requests.size());
        assertSameBodyEachTime(with);

        Run without = run(RATE_LIMITED_TWICE_BRIEFLY, false, "request-body=" + body, "request-size=200000", "mode=" + mode);
        assertEquals("429", without.status(), without.app.toString());
        assertEquals(1, without.requests.size());
        assertSameBodyEachTime(without);
    }

    /** 1.5 MiB is more than the default replay limit of 1 MiB: sent once, as without aierr. */
    @ParameterizedTest
    @ValueSource(strings = {"send", "async"})
    void aBodyAboveTheReplayLimitIsSentOnce(String mode) throws Exception {
        String[] args = {"request-body=publisher", "request-size=" + (1536 * 1024), "mode=" + mode};
        Run with = run(RATE_LIMITED_TWICE_BRIEFLY, true, args);
        assertEquals("429", with.status(), with.app.toString());
        assertEquals(Bodies.OPENAI_RATE_LIMIT, with.app.value("body"));
        assertEquals(1, with.requests.size());
        assertSameBodyEachTime(with);

        Run without = run(RATE_LIMITED_TWICE_BRIEFLY, false, args);
        assertEquals("429", without.status(), without.app.toString());
        assertEquals(1, without.requests.size());
    }

    @Test
    void theReplayLimitIsConfigurableAndZeroTurnsCapturingOff() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            RATE_LIMITED_TWICE_BRIEFLY.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH),
                            "request-body=publisher", "request-size=" + (1536 * 1024))
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.retry.replay-limit", "2MiB")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, server.requestCount());
            assertSameBodyEachTime(new Run(app, server.requests()));
        }
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            RATE_LIMITED_TWICE_BRIEFLY.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH), "request-body=stream")
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .property("aierr.retry.replay-limit", "0")
                    .run();
            assertEquals("429", app.value("status"), app.toString());
            assertEquals(1, server.requestCount());
        }
    }

    @Test
    void aServerHintLongerThanMaxWaitEndsRetryingAtOnce() throws Exception {
        Run with = run(s -> s.then(Reply.status(429).header("retry-after", "120").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)), true);
        assertEquals("429", with.status(), with.app.toString());
        assertEquals(1, with.requests.size());
        // not the 120 s asked, nor the 60 s of max-wait; the call alone may take seconds on a loaded machine
        assertTrue(Long.parseLong(with.app.value("elapsed.ms")) < 30_000, with.app.toString());
    }

    @Test
    void theRequestTimeoutAlsoBoundsTheRetries() throws Exception {
        Run with = run(s -> s.then(Reply.status(429).header("retry-after", "3").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)), true, "timeout-ms=2000");
        assertEquals("429", with.status(), with.app.toString());
        assertEquals(1, with.requests.size());
    }

    @Test
    void streamingSuccessesAreNotBuffered() throws Exception {
        List<String> events = List.of("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n", "data: {\"n\":3}\n\n",
                "data: {\"n\":4}\n\n", "data: [DONE]\n\n");
        Run with = run(s -> s.then(Reply.status(200).streamedUntilRead(events, "text/event-stream")), true,
                "handler=sse");
        assertEquals("200", with.status(), with.app.toString());
        assertEquals(sha256(String.join("", events).getBytes(StandardCharsets.UTF_8)),
                with.app.value("body.sha256"), with.app.toString());
        assertTrue(with.requests.get(0).restWaitedForTheApp,
                "the first event reached the app while the server still held the rest\n" + with.app);
    }

    @Test
    void badConfigValuesWarnInOneLineAndUseDefaults() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            QUEUE_FULL_ONCE.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.endpoints", server.authority() + "=pai-eas,bad host!")
                    .property("aierr.retry.max-attempts", "lots")
                    .property("aierr.retry.initial-backoff", "-5s")
                    .property("aierr.retry.statuses", "429,abc")
                    .property("aierr.retry.replay-limit", "1MB")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount());
            assertTrue(app.stderr.contains("aierr: ignoring aierr.retry.max-attempts='lots'"), app.stderr);
            assertTrue(app.stderr.contains("aierr.retry.initial-backoff='-5s'"), app.stderr);
            assertTrue(app.stderr.contains("aierr.retry.statuses='429,abc'"), app.stderr);
            assertTrue(app.stderr.contains("aierr.retry.replay-limit='1MB'"), app.stderr);
            assertTrue(app.stderr.contains("bad host!"), app.stderr);
            assertFalse(app.stderr.contains("Exception"), app.stderr);
        }
    }

    @Test
    void theAgentDisabledLeavesCallsAlone() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            QUEUE_FULL_ONCE.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.endpoints", server.authority() + "=pai-eas")
                    .property("aierr.enabled", "false")
                    .run();
            assertEquals("450", app.value("status"), app.toString());
            assertNull(app.value("exception"));
        }
    }

    @Test
    void worksOnJdk25() throws Exception {
        java.util.Optional<java.nio.file.Path> jdk25 = ForkedJvm.jdk25();
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        for (String mode : List.of("send", "async")) {
            try (ScriptedAiServer server = new ScriptedAiServer()) {
                RATE_LIMITED_TWICE.accept(server);
                ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH), "mode=" + mode)
                        .javaHome(jdk25.get())
                        .property("aierr.endpoints", server.authority() + "=openai")
                        .run();
                assertEquals("200", app.value("status"), app.toString());
                assertEquals(3, server.requestCount());
                assertFalse(app.stderr.contains("WARNING"), app.stderr);
            }
        }
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            RATE_LIMITED_TWICE_BRIEFLY.accept(server);
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH),
                            "request-body=publisher", "request-size=100000")
                    .javaHome(jdk25.get())
                    .property("aierr.endpoints", server.authority() + "=openai")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, server.requestCount());
            assertSameBodyEachTime(new Run(app, server.requests()));
        }
    }

    /** The app prints what it received; line handlers lose the line ends, the app adds one per line. */
    private static byte[] asSeenBy(String handler, String body) {
        return ("lines".equals(handler) ? body + "\n" : body).getBytes(StandardCharsets.UTF_8);
    }
}
