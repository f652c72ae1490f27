package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.OpenAiSdkApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.aierr.tests.support.ScriptedServers;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

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

    private static ScriptedServers scenarios() throws Exception {
        Reply rateLimited = Reply.status(429).header("retry-after-ms", "100").json(Bodies.OPENAI_RATE_LIMIT);
        return new ScriptedServers("/v1")
                .add("recovers", "openai", s -> s.then(rateLimited).then(rateLimited).then(rateLimited)
                        .then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                .add("quota", "openai", s -> s.then(Reply.status(429).json(Bodies.OPENAI_INSUFFICIENT_QUOTA)))
                .add("unavailable", "openai", s -> s.then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM)));
    }

    private static ForkedJvm sdkApp(ScriptedServers servers, boolean agent, String mode) {
        List<String> args = new ArrayList<>(servers.callArgs());
        args.add("mode=" + mode);
        ForkedJvm jvm = ForkedJvm.app(OpenAiSdkApp.class, args.toArray(String[]::new))
                .agent(agent)
                .property("aierr.endpoints", servers.endpoints())
                .property("aierr.retry.max-attempts", String.valueOf(MAX_ATTEMPTS))
                .property("aierr.retry.initial-backoff", "20ms");
        for (String jar : List.of("openai-java", "okhttp-4.12.0", "okio", "kotlin", "annotations-13", "jackson",
                "jsonschema", "classmate", "slf4j", "swagger", "error_prone")) {
            jvm.library(jar);
        }
        return jvm;
    }

    /** The logical span of the SDK call that went to this server. */
    private static Span callSpan(OtlpReceiver receiver, ScriptedAiServer server) {
        return receiver.spans().stream()
                .filter(s -> s.getParentSpanId().isEmpty())
                .filter(s -> String.valueOf(server.port()).equals(attribute(s.getAttributesList(), "server.port")))
                .findFirst().orElseThrow(() -> new AssertionError("no call span for " + server.url("")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "async"})
    void theSdkSeesAierrsOutcomeAndAddsNoAttempts(String mode) throws Exception {
        try (ScriptedServers servers = scenarios(); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = sdkApp(servers, true, mode)
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .run();
            Span recovered = callSpan(receiver, servers.get("recovers"));
            assertAll(app.toString(),
                    // three 429s are more than the SDK's own retries absorb; aierr's budget is enough
                    () -> assertEquals("Hello!", app.value("recovers.content")),
                    () -> assertEquals(4, servers.get("recovers").requestCount()),
                    // a spent quota: one request, and the SDK still raises its RateLimitException
                    () -> assertEquals("com.openai.errors.RateLimitException", app.value("quota.exception")),
                    () -> assertEquals(1, servers.get("quota").requestCount()),
                    // a persistent 503: aierr's max-attempts in all, not max-attempts times the SDK's
                    () -> assertEquals("com.openai.errors.InternalServerException", app.value("unavailable.exception")),
                    () -> assertEquals("503", app.value("unavailable.status")),
                    () -> assertEquals(MAX_ATTEMPTS, servers.get("unavailable").requestCount()),
                    // the request body the SDK wrote names the operation and the model
                    () -> assertEquals("chat gpt-4o-mini", recovered.getName()),
                    () -> assertEquals("chat", attribute(recovered.getAttributesList(), "gen_ai.operation.name")),
                    () -> assertEquals("gpt-4o-mini", attribute(recovered.getAttributesList(), "gen_ai.request.model")),
                    () -> assertEquals("4", attribute(recovered.getAttributesList(), "aierr.attempts")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync"})
    void withoutTheAgentTheSdkRetriesAlone(String mode) throws Exception {
        try (ScriptedServers servers = scenarios()) {
            ForkedJvm.Result app = sdkApp(servers, false, mode).run();
            assertAll(app.toString(),
                    () -> assertEquals("com.openai.errors.RateLimitException", app.value("recovers.exception")),
                    () -> assertEquals(SDK_ATTEMPTS, servers.get("recovers").requestCount()),
                    () -> assertEquals(SDK_ATTEMPTS, servers.get("quota").requestCount()),
                    () -> assertEquals("com.openai.errors.InternalServerException", app.value("unavailable.exception")),
                    () -> assertEquals(SDK_ATTEMPTS, servers.get("unavailable").requestCount()));
        }
    }
}
