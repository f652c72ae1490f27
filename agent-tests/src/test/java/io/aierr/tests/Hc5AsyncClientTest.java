package io.aierr.tests;

import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.aierr.tests.Hc5ClassicClientTest.RATE_LIMITED_ONCE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HttpClient 5 async, built with its defaults (own retry strategy on). The common table uses
 * {@code SimpleHttpRequest}; the rows here add request producers with streaming consumers,
 * the minimal client and cancellation.
 */
class Hc5AsyncClientTest extends ApacheClientScenarios {
    private static final Consumer<ScriptedAiServer> RATE_LIMITED_FOR_A_SECOND = s -> s
            .then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    @Override
    Class<?> app() {
        return Hc5AsyncApp.class;
    }

    @Override
    ForkedJvm libraries(ForkedJvm jvm) {
        return Hc5ClassicClientTest.httpClient5(jvm);
    }

    @Override
    int ownSendsOfRetryable() {
        return 2;
    }

    @Override
    void addRows(ScenarioTable table) {
        table.scenario("producer_consumer", RATE_LIMITED_TWICE, "api=stream")
                .scenario("big_error_streamed", s -> s.then(Reply.status(500).bytes(BIG_ERROR, "application/octet-stream")),
                        "api=stream")
                .scenario("minimal", RATE_LIMITED_ONCE, "client=minimal")
                // cancelled once the 429 is answered; the app then stays over a second past the retry-after
                .scenario("cancelled", RATE_LIMITED_FOR_A_SECOND, "cancel-when=answered-1", "linger-ms=2000")
                .scenario("not_cancelled", RATE_LIMITED_FOR_A_SECOND);
    }

    @Test
    void producerAndConsumerCallsAreRetriedToo() throws Exception {
        assertEquals("200", with().value("producer_consumer", "status"), with().toString());
        assertEquals(Bodies.CHAT_COMPLETION, with().value("producer_consumer", "body"));
        assertEquals(3, with().requests("producer_consumer").size());
        assertEquals("429", without().value("producer_consumer", "status"));

        assertEquals("500", with().value("big_error_streamed", "status"));
        assertEquals(Bodies.sha256(BIG_ERROR), with().value("big_error_streamed", "body.sha256"));
    }

    @Test
    void theMinimalClientIsRetriedToo() {
        assertEquals("200", with().value("minimal", "status"), with().toString());
        assertEquals(2, with().requests("minimal").size());
        assertEquals("429", without().value("minimal", "status"), "the minimal client has no retry of its own");
    }

    @Test
    void cancellingTheFutureStopsPendingRetries() {
        assertEquals("true", with().value("cancelled", "cancelled"), with().toString());
        assertEquals(1, with().requests("cancelled").size(), "no attempt after the app cancelled");
        assertEquals("200", with().value("not_cancelled", "status"), with().toString());
        assertEquals(2, with().requests("not_cancelled").size(), "the retry happens when nobody cancels");
    }
}
