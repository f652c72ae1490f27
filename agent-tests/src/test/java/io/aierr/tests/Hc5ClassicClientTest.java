package io.aierr.tests;

import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HttpClient 5 classic, built with its defaults: its own retry strategy retries 429 and 503 once. */
class Hc5ClassicClientTest extends ApacheClientScenarios {
    static final Consumer<ScriptedAiServer> RATE_LIMITED_ONCE = s -> s
            .then(Reply.status(429).header("retry-after-ms", "100").json(Bodies.OPENAI_RATE_LIMIT))
            .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));

    @Override
    Class<?> app() {
        return Hc5ClassicApp.class;
    }

    @Override
    ForkedJvm libraries(ForkedJvm jvm) {
        return httpClient5(jvm);
    }

    static ForkedJvm httpClient5(ForkedJvm jvm) {
        return jvm.library("httpclient5-").library("httpcore5-").library("slf4j-api");
    }

    @Override
    int ownSendsOfRetryable() {
        return 2;
    }

    @Override
    void addRows(ScenarioTable table) {
        table.scenario("handler", RATE_LIMITED_ONCE, "mode=handler")
                .scenario("minimal", RATE_LIMITED_ONCE, "client=minimal")
                .scenario("interrupted", s -> s.then(Reply.status(429).header("retry-after", "20")
                        .json(Bodies.OPENAI_RATE_LIMIT)).then(Reply.status(200).json(Bodies.CHAT_COMPLETION)),
                        "interrupt-when=answered-1");
    }

    @Test
    void responseHandlersSeeOnlyTheFinalResponse() {
        assertEquals("200", with().value("handler", "status"), with().toString());
        assertEquals(Bodies.CHAT_COMPLETION, with().value("handler", "body"));
        assertEquals(2, with().requests("handler").size());
    }

    /** HttpClients.createMinimal() processes the app's own request object, which cannot be sent twice. */
    @Test
    void theMinimalClientPassesThrough() {
        assertEquals("429", with().value("minimal", "status"), with().toString());
        assertEquals(1, with().requests("minimal").size());
    }

    @Test
    void interruptingTheCallerDuringBackoffThrowsInterruptedIOException() {
        String exception = with().value("interrupted", "exception");
        assertTrue(exception != null && exception.startsWith("java.io.InterruptedIOException"), with().toString());
        assertEquals("true", with().value("interrupted", "interrupted.flag"), "the flag stays set, as the client leaves it");
        assertTrue(Long.parseLong(with().value("interrupted", "elapsed.ms")) < 15_000, "stopped waiting when interrupted");
        assertEquals(1, with().requests("interrupted").size());
    }
}
