package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.OpenAiSdkApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static io.aierr.testing.OtlpReceiver.attribute;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The official OpenAI Java SDK, which retries 429 and 5xx twice by itself, against local servers
 * speaking the OpenAI wire format. With aierr the SDK's retries must not multiply aierr's: the
 * requests of one SDK call stay within {@code aierr.retry.max-attempts}.
 */
class OpenAiSdkTest {
    private static final int MAX_ATTEMPTS = 4;
    /** The SDK's default: the first request and two retries. */
    private static final int SDK_ATTEMPTS = 3;

    private static ScenarioTable scenarios() {
        Reply rateLimited = Reply.status(429).header("retry-after-ms", "100").json(Bodies.OPENAI_RATE_LIMIT);
        return new ScenarioTable("/v1")
                .scenario("recovers", s -> s.then(rateLimited).then(rateLimited).then(rateLimited)
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .scenario("quota", s -> s.then(Reply.status(429).json(Bodies.OPENAI_INSUFFICIENT_QUOTA)))
                .scenario("unavailable", s -> s.then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM)));
    }

    /** The SDK's jars from the test class path, and aierr's budget. */
    private static UnaryOperator<ForkedJvm> sdk(String mode, UnaryOperator<ForkedJvm> more) {
        return jvm -> {
            for (String jar : List.of("openai-java", "okhttp-4.12.0", "okio", "kotlin", "annotations-13", "jackson",
                    "jsonschema", "classmate", "slf4j", "swagger", "error_prone")) {
                jvm.library(jar);
            }
            return more.apply(jvm.arg("mode=" + mode)
                    .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                    .property("aierr.retry.initial-backoff", "20ms"));
        };
    }

    /** The logical span of the one SDK call that finally succeeded. */
    private static Optional<Span> recoveredCall(OtlpReceiver receiver) {
        return receiver.spans().stream()
                .filter(s -> s.getParentSpanId().isEmpty())
                .filter(s -> "200".equals(attribute(s.getAttributesList(), "http.response.status_code")))
                .findFirst();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void theSdkSeesAierrsOutcomeAndAddsNoAttempts(String mode) throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Played with = scenarios().play(OpenAiSdkApp.class, sdk(mode, jvm -> jvm
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .untilReceived(receiver, r -> recoveredCall(r).isPresent())));
            Span recovered = recoveredCall(receiver)
                    .orElseThrow(() -> new AssertionError("no successful call span: " + receiver.spans()));
            assertAll(with.toString(),
                    // three 429s are more than the SDK's own retries absorb; aierr's budget is enough
                    () -> assertEquals("Hello!", with.value("recovers", "content")),
                    () -> assertEquals(4, with.requests("recovers").size()),
                    // a spent quota: one request, and the SDK still raises its RateLimitException
                    () -> assertEquals("com.openai.errors.RateLimitException", with.value("quota", "exception")),
                    () -> assertEquals(1, with.requests("quota").size()),
                    // a persistent 503: aierr's max-attempts in all, not max-attempts times the SDK's
                    () -> assertEquals("com.openai.errors.InternalServerException",
                            with.value("unavailable", "exception")),
                    () -> assertEquals("503", with.value("unavailable", "status")),
                    () -> assertEquals(MAX_ATTEMPTS, with.requests("unavailable").size()),
                    // the request body the SDK wrote names the operation and the model
                    () -> assertEquals("chat gpt-4o-mini", recovered.getName()),
                    () -> assertEquals("chat", attribute(recovered.getAttributesList(), "gen_ai.operation.name")),
                    () -> assertEquals("gpt-4o-mini", attribute(recovered.getAttributesList(), "gen_ai.request.model")),
                    () -> assertEquals("4", attribute(recovered.getAttributesList(), "aierr.attempts")));
        }
    }

    @Test
    void withoutTheAgentTheSdkRetriesAlone() throws Exception {
        Played without = scenarios().play(OpenAiSdkApp.class, sdk("sync", jvm -> jvm.agent(false)));
        assertAll(without.toString(),
                () -> assertEquals("com.openai.errors.RateLimitException", without.value("recovers", "exception")),
                () -> assertEquals(SDK_ATTEMPTS, without.requests("recovers").size()),
                () -> assertEquals(SDK_ATTEMPTS, without.requests("quota").size()),
                () -> assertEquals("com.openai.errors.InternalServerException",
                        without.value("unavailable", "exception")),
                () -> assertEquals(SDK_ATTEMPTS, without.requests("unavailable").size()));
    }
}
