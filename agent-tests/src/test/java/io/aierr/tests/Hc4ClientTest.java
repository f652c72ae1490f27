package io.aierr.tests;

import io.aierr.tests.apps.Hc4ClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import org.junit.jupiter.api.Test;

import static io.aierr.tests.Hc5ClassicClientTest.RATE_LIMITED_ONCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HttpClient 4.5: no response is retried by the client unless the app sets a 503 strategy. */
class Hc4ClientTest extends ApacheClientScenarios {
    @Override
    Class<?> app() {
        return Hc4ClientApp.class;
    }

    @Override
    ForkedJvm libraries(ForkedJvm jvm) {
        return jvm.library("httpclient-4").library("httpcore-4").library("commons-logging").library("commons-codec");
    }

    @Override
    int ownSendsOfRetryable() {
        return 1;
    }

    @Override
    void addRows(ScenarioTable table) {
        table.scenario("handler", RATE_LIMITED_ONCE, "mode=handler")
                .scenario("minimal", RATE_LIMITED_ONCE, "client=minimal")
                .scenario("own_503_retry", UNAVAILABLE, "retry-503=on");
    }

    @Test
    void responseHandlersSeeOnlyTheFinalResponse() {
        assertEquals("200", with().value("handler", "status"), with().toString());
        assertEquals(Bodies.CHAT_COMPLETION, with().value("handler", "body"));
        assertEquals(2, with().requests("handler").size());
        assertEquals("429", without().value("handler", "status"));
    }

    @Test
    void theMinimalClientIsRetriedToo() {
        assertEquals("200", with().value("minimal", "status"), with().toString());
        assertEquals(2, with().requests("minimal").size());
    }

    /** DefaultServiceUnavailableRetryStrategy retries a 503 once; with aierr the sends stay within its budget. */
    @Test
    void theClientsOwn503RetryDoesNotMultiplyAttempts() {
        assertEquals(MAX_ATTEMPTS, with().requests("own_503_retry").size(), with().toString());
        assertEquals(Bodies.NO_HEALTHY_UPSTREAM + " #3", with().value("own_503_retry", "body"));
        assertEquals(2, without().requests("own_503_retry").size(), without().toString());
        assertTrue(without().value("own_503_retry", "body").endsWith("#2"));
    }
}
