package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.SdkStreamingApp;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.aierr.testing.OtlpReceiver.attribute;
import static io.aierr.tests.StreamsTest.ERROR_MID_STREAM;
import static io.aierr.tests.StreamsTest.GOOD;
import static io.aierr.tests.StreamsTest.RATE_LIMITED_FIRST;
import static io.aierr.tests.StreamsTest.stream;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The SDKs' streaming paths run through the same hold: openai-java's {@code createStreaming} (OkHttp
 * underneath) and LangChain4j's streaming chat model (the JDK client underneath) get the good stream
 * after an in-band rate limit in the first event, where without aierr they fail; a mid-stream error
 * is theirs to meet, once, and classified on the call span.
 */
class SdkStreamsTest {
    private static ScenarioTable scenarios(String client) {
        return new ScenarioTable("/v1")
                .scenario("retried", s -> s.then(stream(RATE_LIMITED_FIRST)).then(stream(GOOD)), "client=" + client)
                .scenario("mid", s -> s.then(stream(ERROR_MID_STREAM)).then(stream(GOOD)), "client=" + client);
    }

    private static ForkedJvm sdks(ForkedJvm jvm) {
        for (String jar : List.of("openai-java", "okhttp-4.12.0", "okio", "kotlin", "annotations-13", "jackson",
                "jsonschema", "classmate", "slf4j", "swagger", "error_prone", "langchain4j-", "jtokkit")) {
            jvm.library(jar);
        }
        return jvm.property("aierr.retry.initial-backoff", "20ms");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "langchain4j"})
    void theSdkGetsTheGoodStreamAfterAFirstEventError(String client) throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Played with = scenarios(client).play(SdkStreamingApp.class, jvm -> sdks(jvm)
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .untilSpansReceived(receiver, 5));
            Played without = scenarios(client).play(SdkStreamingApp.class, jvm -> sdks(jvm).withoutAgent());
            String both = with + "\n--- without aierr\n" + without + "\n--- spans\n" + receiver.spans();
            assertAll(both,
                    () -> assertEquals("Hello", with.value("retried", "content")),
                    () -> assertNull(with.value("retried", "exception")),
                    () -> assertEquals(2, with.requests("retried").size()),
                    // without aierr the SDK meets the in-band error (openai-java raises it, LangChain4j
                    // ends the answer empty)
                    () -> assertNotEquals("Hello", without.value("retried", "content")),
                    () -> assertEquals(1, without.requests("retried").size()),
                    // mid-stream: the same outcome with and without aierr, and one request
                    () -> assertEquals(without.value("mid", "content"), with.value("mid", "content")),
                    () -> assertEquals(without.value("mid", "exception"), with.value("mid", "exception")),
                    () -> assertEquals(1, with.requests("mid").size()));
            Span mid = StreamsTest.callSpan(receiver, with, "mid");
            StreamsTest.assertInBand(mid, "server_error", both);
            Span retried = StreamsTest.callSpan(receiver, with, "retried");
            assertNull(attribute(retried.getAttributesList(), "error.type"), both);
        }
    }
}
