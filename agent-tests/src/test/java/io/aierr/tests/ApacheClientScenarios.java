package io.aierr.tests;

import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenario matrix every Apache HttpClient flavor passes, played as one table per forked JVM
 * with the agent and once more without it. Subclasses name the app and its libraries, and may add
 * rows of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApacheClientScenarios {
    static final String PATH = "/v1/chat/completions";
    /** aierr's budget in the table: two 429s and a success fit, a persistent 503 is cut at 3. */
    static final int MAX_ATTEMPTS = 3;

    static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE = s -> s
            .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "300").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
    static final Consumer<ScriptedAiServer> RATE_LIMITED_TWICE_BRIEFLY = s -> s
            .then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
    /** More than the default replay limit of 1 MiB. */
    static final int ABOVE_REPLAY_LIMIT = 1536 * 1024;
    static final Consumer<ScriptedAiServer> UNAVAILABLE = s -> s
            .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #1"))
            .then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM + " #2"))
            .then(Reply.status(503).header("x-last", "yes").text(Bodies.NO_HEALTHY_UPSTREAM + " #3"));
    static final byte[] BIG_ERROR = Bodies.randomBytes(5 * 1024 * 1024, 1);
    static final byte[] BIG_SUCCESS = Bodies.randomBytes(5 * 1024 * 1024, 2);
    static final List<String> EVENTS = List.of("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n", "data: {\"n\":3}\n\n",
            "data: {\"n\":4}\n\n", "data: [DONE]\n\n");

    private Played with;
    private Played without;

    /** The test app making the calls. */
    abstract Class<?> app();

    /** Puts the client's jars on the forked class path. */
    abstract ForkedJvm libraries(ForkedJvm jvm);

    /**
     * How many requests the client sends by itself for a 429 or 503 it retries: 2 with HttpClient
     * 5's default retry strategy, 1 for HttpClient 4.5, which retries no response by default.
     */
    abstract int ownSendsOfRetryable();

    /** Rows a client adds to the common table. */
    void addRows(ScenarioTable table) {
    }

    @BeforeAll
    void playTheTableWithAndWithoutTheAgent() throws Exception {
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("rate_limited", RATE_LIMITED_TWICE)
                .scenario("quota", s -> s.then(Reply.status(429).header("retry-after", "1")
                        .json(Bodies.OPENAI_INSUFFICIENT_QUOTA)).then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .scenario("queue_full", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .scenario("unavailable", UNAVAILABLE)
                .scenario("bad_request", s -> s.then(Reply.status(400).json(Bodies.OPENAI_CONTEXT_LENGTH)))
                .otherHost("other_host", s -> s.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .scenario("big_error", s -> s.then(Reply.status(500).bytes(BIG_ERROR, "application/octet-stream")))
                .scenario("big_retried", s -> s.then(Reply.status(503).bytes(BIG_ERROR, "application/octet-stream"))
                        .then(Reply.status(503).bytes(BIG_ERROR, "application/octet-stream"))
                        .then(Reply.status(200).bytes(BIG_SUCCESS, "application/octet-stream")))
                .scenario("streaming", s -> s.then(Reply.status(200).streamedUntilRead(EVENTS, "text/event-stream")),
                        "read=lines")
                .scenario("one_shot_body", RATE_LIMITED_TWICE_BRIEFLY, "request-body=stream", "request-size=200000")
                .scenario("one_shot_chunked", RATE_LIMITED_TWICE_BRIEFLY, "request-body=chunked", "request-size=200000")
                .scenario("one_shot_too_big", RATE_LIMITED_TWICE_BRIEFLY, "request-body=stream",
                        "request-size=" + ABOVE_REPLAY_LIMIT)
                .scenario("one_shot_chunked_too_big", RATE_LIMITED_TWICE_BRIEFLY, "request-body=chunked",
                        "request-size=" + ABOVE_REPLAY_LIMIT)
                .scenario("timeout", s -> s.then(Reply.status(429).header("retry-after", "3")
                        .json(Bodies.OPENAI_RATE_LIMIT)).then(Reply.status(200).json(Bodies.CHAT_COMPLETION)),
                        "timeout-ms=2000");
        addRows(table);
        with = table.play(app(), jvm -> libraries(jvm)
                .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                .property("aierr.retry.initial-backoff", "20ms"));
        without = table.play(app(), jvm -> libraries(jvm).agent(false));
    }

    Played with() {
        return with;
    }

    Played without() {
        return without;
    }

    /** Every call, with or without the agent, leaves no connection leased from the pool. */
    @Test
    void everyScenarioReturnsItsConnectionsToThePool() {
        for (Played played : List.of(with, without)) {
            assertTrue(played.app.stdout.contains(".leased="), played.toString());
            for (String line : played.app.stdout.split("\n")) {
                if (line.contains(".leased=")) {
                    assertTrue(line.endsWith(".leased=0"), line + "\n" + played);
                }
            }
        }
    }

    @Test
    void rateLimitWithRetryAfterIsRetriedUntilSuccess() {
        String s = "rate_limited";
        assertEquals("200", with.value(s, "status"), with.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.value(s, "body"));
        List<ScriptedAiServer.Recorded> requests = with.requests(s);
        assertEquals(3, requests.size());
        long firstGap = (requests.get(1).receivedNanos - requests.get(0).receivedNanos) / 1_000_000;
        assertTrue(firstGap >= 950, "retry-after: 1 honored, waited " + firstGap + "ms");
        long secondGap = (requests.get(2).receivedNanos - requests.get(1).receivedNanos) / 1_000_000;
        assertTrue(secondGap >= 280, "retry-after-ms: 300 honored, waited " + secondGap + "ms");
        for (ScriptedAiServer.Recorded r : requests) {
            assertEquals(requests.get(0).bodyText(), r.bodyText(), "every attempt sends the same body");
            assertEquals(requests.get(0).clientPort, r.clientPort, "a dropped response freed its connection for the next");
        }

        assertEquals("429", without.value(s, "status"), without.toString());
        assertEquals(ownSendsOfRetryable(), without.requests(s).size());
    }

    @Test
    void insufficientQuotaIsNotRetried() {
        assertEquals("429", with.value("quota", "status"), with.toString());
        assertEquals(Bodies.OPENAI_INSUFFICIENT_QUOTA, with.value("quota", "body"));
        assertEquals(1, with.requests("quota").size(), "neither aierr nor the client sends a spent quota again");
        assertEquals(ownSendsOfRetryable(), without.requests("quota").size());
    }

    @Test
    void paiEasQueueFullIsRetried() {
        assertEquals("200", with.value("queue_full", "status"), with.toString());
        assertEquals(2, with.requests("queue_full").size());
        assertEquals("450", without.value("queue_full", "status"), without.toString());
        assertEquals(Bodies.PAI_EAS_QUEUE_FULL, without.value("queue_full", "body"));
    }

    /** The amplification check: the client's own retry of a 503 does not multiply aierr's attempts. */
    @Test
    void persistent503StopsAtMaxAttemptsAndDeliversTheLastResponseUnchanged() {
        String s = "unavailable";
        assertEquals("503", with.value(s, "status"), with.toString());
        assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", with.value(s, "body"));
        assertEquals("yes", with.value(s, "x-last"));
        assertEquals(MAX_ATTEMPTS, with.requests(s).size(), "sends stay within aierr.retry.max-attempts");
        assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #" + ownSendsOfRetryable(), without.value(s, "body"), without.toString());
        assertEquals(ownSendsOfRetryable(), without.requests(s).size());
    }

    @Test
    void aBadRequestIsNotRetried() {
        assertEquals("400", with.value("bad_request", "status"), with.toString());
        assertEquals(Bodies.OPENAI_CONTEXT_LENGTH, with.value("bad_request", "body"));
        assertEquals(1, with.requests("bad_request").size());
    }

    @Test
    void callsToOtherHostsAreUntouched() {
        assertEquals("450", with.value("other_host", "status"), with.toString());
        assertEquals(1, with.requests("other_host").size());
    }

    @Test
    void largeBodiesReachTheAppByteIdentical() throws Exception {
        assertEquals("500", with.value("big_error", "status"), with.toString());
        assertEquals(Bodies.sha256(BIG_ERROR), with.value("big_error", "body.sha256"));
        assertEquals(String.valueOf(BIG_ERROR.length), with.value("big_error", "body.length"));

        assertEquals("200", with.value("big_retried", "status"));
        assertEquals(Bodies.sha256(BIG_SUCCESS), with.value("big_retried", "body.sha256"));
        assertEquals(MAX_ATTEMPTS, with.requests("big_retried").size());
        assertEquals("503", without.value("big_retried", "status"), without.toString());
    }

    @Test
    void streamingSuccessesAreNotBuffered() {
        assertEquals("200", with.value("streaming", "status"), with.toString());
        assertEquals(String.join("", EVENTS), with.value("streaming", "body").replace("\\n", "\n"), with.toString());
        assertTrue(with.requests("streaming").get(0).restWaitedForTheApp,
                "the first event reached the app while the server still held the rest\n" + with);
    }

    /** Every request the server saw for the scenario carries exactly the bytes of the app's body. */
    static void assertSameBodyEachTime(Played played, String scenario) throws Exception {
        for (ScriptedAiServer.Recorded r : played.requests(scenario)) {
            assertEquals(played.value(scenario, "request.sha256"), Bodies.sha256(r.body), played.toString());
            assertEquals(played.value(scenario, "request.length"), String.valueOf(r.body.length));
        }
    }

    /**
     * A body the client cannot send twice (an entity or producer that is not repeatable, here over a
     * stream that cannot be rewound) is captured as it is sent the first time and replayed from the
     * copy, framed as the first: by its length, or chunked.
     */
    @ParameterizedTest
    @ValueSource(strings = {"one_shot_body", "one_shot_chunked"})
    void nonRepeatableRequestBodiesAreReplayedByteIdentical(String s) throws Exception {
        assertEquals("200", with.value(s, "status"), with.toString());
        assertEquals(Bodies.CHAT_COMPLETION, with.value(s, "body"));
        assertEquals(3, with.requests(s).size());
        assertSameBodyEachTime(with, s);
        boolean chunked = s.endsWith("chunked");
        for (ScriptedAiServer.Recorded r : with.requests(s)) {
            assertEquals(chunked ? "chunked" : null, r.headers.get("transfer-encoding"), "framed as the first send");
        }

        assertEquals("429", without.value(s, "status"), without.toString());
        assertEquals(1, without.requests(s).size(), "the client does not send a non-repeatable body twice");
        assertSameBodyEachTime(without, s);
    }

    /** Above the replay limit nothing is captured: the body is sent once, as without aierr. */
    @ParameterizedTest
    @ValueSource(strings = {"one_shot_too_big", "one_shot_chunked_too_big"})
    void aNonRepeatableBodyAboveTheReplayLimitIsSentOnce(String s) throws Exception {
        assertEquals("429", with.value(s, "status"), with.toString());
        assertEquals(Bodies.OPENAI_RATE_LIMIT, with.value(s, "body"));
        assertEquals(1, with.requests(s).size());
        assertSameBodyEachTime(with, s);
        assertEquals("429", without.value(s, "status"), without.toString());
        assertEquals(1, without.requests(s).size());
    }

    @Test
    void theResponseTimeoutAlsoBoundsTheWaits() {
        assertEquals("429", with.value("timeout", "status"), with.toString());
        assertEquals(1, with.requests("timeout").size(), "retry-after 3s is more than the 2s response timeout");
    }
}
