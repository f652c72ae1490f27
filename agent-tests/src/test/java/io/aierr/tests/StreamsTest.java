package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.StreamingApp;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.aierr.testing.OtlpReceiver.attribute;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors inside a {@code 200 text/event-stream}, through every raw client an app streams with: an
 * error as the first event is retried before the app sees a byte, and the app gets only the good
 * stream; an error or a content filter mid-stream is not retried, reaches the app byte for byte, and
 * is the call span's {@code error.type} with an {@code aierr.error} event.
 */
class StreamsTest {
    static final String PATH = "/v1/chat/completions";
    static final List<String> GOOD = List.of(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n");
    /** What an OpenAI-compatible server (vLLM, a gateway) streams when it is rate limited after the 200. */
    static final List<String> RATE_LIMITED_FIRST = List.of(
            "data: {\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":429}}\n\n");
    static final List<String> ERROR_MID_STREAM = List.of(GOOD.get(0),
            "data: {\"error\":{\"message\":\"The server had an error while processing your request\","
                    + "\"type\":\"server_error\",\"code\":500}}\n\n");
    static final List<String> FILTERED_MID_STREAM = List.of(GOOD.get(0),
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n",
            "data: [DONE]\n\n");
    /** Anthropic: overloaded, in the stream, before anything else. */
    static final List<String> ANTHROPIC_OVERLOADED_FIRST = List.of("event: error\ndata: {\"type\":\"error\","
            + "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
    static final List<String> ANTHROPIC_GOOD = List.of(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    static Reply stream(List<String> events) {
        return Reply.status(200).streamed(events, 20, "text/event-stream");
    }

    static ScenarioTable openAiShapes(String client) {
        return new ScenarioTable(PATH)
                .scenario("retried", s -> s.then(stream(RATE_LIMITED_FIRST)).then(stream(GOOD)), "client=" + client)
                .scenario("mid", s -> s.then(stream(ERROR_MID_STREAM)).then(stream(GOOD)), "client=" + client)
                .scenario("filtered", s -> s.then(stream(FILTERED_MID_STREAM)).then(stream(GOOD)), "client=" + client);
    }

    static UnaryOperator<ForkedJvm> exporting(OtlpReceiver receiver, UnaryOperator<ForkedJvm> more) {
        return jvm -> more.apply(jvm.property("aierr.exporter", "otlp,console").property("aierr.summary", "true")
                .property("aierr.retry.initial-backoff", "20ms")
                .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                // three calls; the first with two attempts
                .untilSpansReceived(receiver, 7));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk-lines", "jdk-stream", "jdk-async", "okhttp-execute", "okhttp-enqueue", "okhttp-sse",
            "hc5-async"})
    void aFirstEventErrorIsRetriedAndMidStreamOnesAreClassified(String client) throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Played played = openAiShapes(client).play(StreamingApp.class, exporting(receiver, StreamsTest::clients));
            String app = played + "\n--- spans\n" + receiver.spans();
            assertAll(app,
                    () -> assertEquals("200", played.value("retried", "status")),
                    () -> assertEquals(sha256(GOOD), played.value("retried", "body.sha256"), "only the good stream"),
                    () -> assertEquals(2, played.requests("retried").size()),
                    () -> assertEquals(sha256(ERROR_MID_STREAM), played.value("mid", "body.sha256"), "as the server sent it"),
                    () -> assertEquals(1, played.requests("mid").size(), "content reached the app: never retried"),
                    () -> assertEquals(sha256(FILTERED_MID_STREAM), played.value("filtered", "body.sha256")),
                    () -> assertEquals(1, played.requests("filtered").size()));

            Span retried = callSpan(receiver, played, "retried");
            assertNull(attribute(retried.getAttributesList(), "error.type"), app);
            assertEquals("2", attribute(retried.getAttributesList(), "aierr.attempts"), app);
            Span firstAttempt = attempts(receiver, retried).get(0);
            assertEquals("rate_limited", attribute(firstAttempt.getAttributesList(), "aierr.error.category"), app);

            assertInBand(callSpan(receiver, played, "mid"), "server_error", app);
            assertInBand(callSpan(receiver, played, "filtered"), "content_filtered", app);
            assertTrue(played.app.stderr.contains("200 server_error") && played.app.stderr.contains("in the stream"),
                    "the console says so: " + played.app.stderr);
            assertTrue(played.app.stderr.contains("server_error 1") && played.app.stderr.contains("content_filtered 1"),
                    "and the summary: " + played.app.stderr);
        }
    }

    @Test
    void anAnthropicOverloadedFirstEventIsRetried() throws Exception {
        Played played = new ScenarioTable("/v1/messages", "anthropic")
                .scenario("overloaded", s -> s.then(stream(ANTHROPIC_OVERLOADED_FIRST)).then(stream(ANTHROPIC_GOOD)),
                        "client=jdk-lines")
                .play(StreamingApp.class, jvm -> clients(jvm).property("aierr.retry.initial-backoff", "20ms"));
        assertEquals(sha256(ANTHROPIC_GOOD), played.value("overloaded", "body.sha256"), played.toString());
        assertEquals(2, played.requests("overloaded").size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdk-lines", "okhttp-sse"})
    void withoutAierrTheAppSeesTheErrorEvent(String client) throws Exception {
        Played played = openAiShapes(client).play(StreamingApp.class, jvm -> clients(jvm).withoutAgent());
        assertEquals(sha256(RATE_LIMITED_FIRST), played.value("retried", "body.sha256"), played.toString());
        assertEquals(1, played.requests("retried").size());
    }

    /** The app is compiled against OkHttp 4 and HttpClient 5, which it needs on its class path whichever client it uses. */
    static ForkedJvm clients(ForkedJvm jvm) {
        return jvm.jarsIn(OkHttpClientTest.OkHttp.V4.jars()).library("okhttp-sse").library("httpclient5-")
                .library("httpcore5-").library("slf4j-api");
    }

    static void assertInBand(Span call, String category, String app) {
        assertEquals(category, attribute(call.getAttributesList(), "error.type"), app);
        assertEquals("200", attribute(call.getAttributesList(), "http.response.status_code"), app);
        assertTrue(call.getEventsList().stream().anyMatch(e -> "aierr.error".equals(e.getName())
                && category.equals(attribute(e.getAttributesList(), "aierr.error.category"))), app);
    }

    /** The logical span of a scenario's call: the root span whose server.port is its server's. */
    static Span callSpan(OtlpReceiver receiver, Played played, String scenario) {
        String host = played.requests(scenario).get(0).headers.get("host");
        String port = host.substring(host.lastIndexOf(':') + 1);
        List<Span> roots = receiver.spans().stream().filter(s -> s.getParentSpanId().isEmpty())
                .filter(s -> port.equals(attribute(s.getAttributesList(), "server.port"))).collect(Collectors.toList());
        assertEquals(1, roots.size(), scenario + ": " + receiver.spans());
        return roots.get(0);
    }

    static List<Span> attempts(OtlpReceiver receiver, Span call) {
        return receiver.spans().stream().filter(s -> s.getParentSpanId().equals(call.getSpanId()))
                .sorted((a, b) -> Long.compare(a.getStartTimeUnixNano(), b.getStartTimeUnixNano()))
                .collect(Collectors.toList());
    }

    static String sha256(List<String> pieces) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(String.join("", pieces).getBytes(StandardCharsets.UTF_8)));
    }
}
