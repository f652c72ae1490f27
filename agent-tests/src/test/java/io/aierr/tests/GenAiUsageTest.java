package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.Hc4ClientApp;
import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ClientFamilies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.aierr.testing.OtlpReceiver.attribute;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a success says of itself reaches the call span and the GenAI metrics, read as the body flows
 * to the app: the app's bytes are the server's, streams included.
 */
class GenAiUsageTest {
    private static final String PATH = "/v1/chat/completions";
    /** OpenAI's stream with {@code stream_options.include_usage}: the last chunk carries the usage. */
    private static final List<String> STREAM = List.of(
            "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"length\"}]}\n\n",
            "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":2,\"total_tokens\":23}}\n\n",
            "data: [DONE]\n\n");

    private static ForkedJvm exporting(ForkedJvm jvm, ScriptedAiServer server, OtlpReceiver receiver) {
        return jvm.property("aierr.endpoints", server.authority() + "=openai")
                .property("aierr.exporter", "otlp")
                .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                .property("otel.metric.export.interval", "500")
                .untilReceived(receiver, r -> r.spans().size() >= 2 && !r.metrics("gen_ai.client.token.usage").isEmpty()
                        && !r.metrics("gen_ai.client.operation.duration").isEmpty());
    }

    @Test
    void aJsonCompletionsUsageIsOnTheCallSpanAndInTheTokenMetric() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = exporting(ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH)), server,
                    receiver).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(sha256(Bodies.CHAT_COMPLETION), app.value("body.sha256"), "the app's bytes are the server's");

            Map<String, String> call = attributes(callSpan(receiver.spans(), app.toString()).getAttributesList());
            assertEquals("9", call.get("gen_ai.usage.input_tokens"), call.toString());
            assertEquals("3", call.get("gen_ai.usage.output_tokens"));
            assertEquals("gpt-4o-mini", call.get("gen_ai.response.model"));
            assertEquals("chatcmpl-1", call.get("gen_ai.response.id"));
            assertEquals("[stop]", call.get("gen_ai.response.finish_reasons"));
            assertTokenUsage(receiver, 9, 3, 1);
        }
    }

    @Test
    void aStreamsUsageComesFromItsLastChunkAndTheStreamIsUnchanged() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(200).streamed(STREAM, 50, "text/event-stream"));
            ForkedJvm.Result app = exporting(ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH), "handler=stream"),
                    server, receiver).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(sha256(String.join("", STREAM)), app.value("body.sha256"), "the app's bytes are the server's");

            Map<String, String> call = attributes(callSpan(receiver.spans(), app.toString()).getAttributesList());
            assertEquals("21", call.get("gen_ai.usage.input_tokens"), call.toString());
            assertEquals("2", call.get("gen_ai.usage.output_tokens"));
            assertEquals("gpt-4o-mini-2024-07-18", call.get("gen_ai.response.model"));
            assertEquals("chatcmpl-s1", call.get("gen_ai.response.id"));
            assertEquals("[length]", call.get("gen_ai.response.finish_reasons"));
            assertTokenUsage(receiver, 21, 2, 1);
        }
    }

    @Test
    void anOkHttpCompletionsUsageIsReadToo() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            ScenarioTable.Played played = new ScenarioTable(PATH)
                    .scenario("completion", s -> s.then(Reply.status(200).json(Bodies.CHAT_COMPLETION)))
                    .play(OkHttpClientApp.class, jvm -> jvm.jarsIn(OkHttpClientTest.OkHttp.V4.jars())
                            .property("aierr.exporter", "otlp")
                            .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                            .untilSpansReceived(receiver, 2));
            assertEquals("200", played.value("completion", "status"), played.toString());
            assertEquals(sha256(Bodies.CHAT_COMPLETION), played.value("completion", "body.sha256"));
            Map<String, String> call = attributes(callSpan(receiver.spans(), played.toString()).getAttributesList());
            assertEquals("9", call.get("gen_ai.usage.input_tokens"), call.toString());
            assertEquals("3", call.get("gen_ai.usage.output_tokens"));
            assertEquals("chatcmpl-1", call.get("gen_ai.response.id"));
        }
    }

    /** The stream, and then the server goes on sending (a keep-alive comment) after the app stopped reading. */
    private static final List<String> STREAM_AND_MORE = Stream.concat(STREAM.stream(),
            Stream.of(": keep-alive\n\n")).collect(Collectors.toList());

    /**
     * Apache HttpClient, each flavor with JSON completions and streams in one JVM: the usage of each is
     * on its call span and in the token metric, and the app read the very bytes it reads without aierr.
     * Classic calls read a completion with EntityUtils in a response handler and another with the
     * entity's writeTo, each entity saying of itself (length, chunked, streaming, repeatable) what it
     * says without aierr; they read a stream line by line up to {@code [DONE]}, then close the response
     * without reading on: the call ends there (HttpClient 4.5's close reaches no entity). Async calls
     * take the buffering consumer and a streaming one. The last stream starts with an in-band rate
     * limit: held for its first event and retried, the app reading only the good stream, whose usage
     * is the call's.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hc4", "hc5", "hc5-async"})
    void anApacheHttpClientsUsageIsReadToo(String family) throws Exception {
        boolean async = family.endsWith("async");
        Class<?> app = async ? Hc5AsyncApp.class : "hc4".equals(family) ? Hc4ClientApp.class : Hc5ClassicApp.class;
        ScenarioTable table = new ScenarioTable(PATH)
                .scenario("completion", s -> s.then(Reply.status(200).json(Bodies.CHAT_COMPLETION)),
                        async ? "api=simple" : "mode=handler read=to-string")
                .scenario("written", s -> s.then(Reply.status(200).json(Bodies.CHAT_COMPLETION)),
                        async ? "api=simple" : "read=write-to")
                .scenario("stream", s -> s.then(StreamsTest.stream(STREAM_AND_MORE)),
                        async ? "api=stream" : "read=until-done")
                .scenario("retried", s -> s.then(StreamsTest.stream(StreamsTest.RATE_LIMITED_FIRST))
                        .then(StreamsTest.stream(STREAM_AND_MORE)), async ? "api=stream" : "read=until-done");
        ClientFamilies libraries = ClientFamilies.named(family);
        ScenarioTable.Played without = table.play(app, jvm -> libraries.onClassPath(jvm).withoutAgent());
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            ScenarioTable.Played with = table.play(app, jvm -> libraries.onClassPath(jvm)
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .property("otel.metric.export.interval", "500")
                    .property("aierr.retry.initial-backoff", "20ms")
                    // four calls, the last with two attempts
                    .untilReceived(receiver, r -> r.spans().size() >= 9 && tokenCounts(r) == 4));
            String seen = with + "\n--- without aierr\n" + without + "\n--- spans\n" + receiver.spans();
            assertAll(seen,
                    () -> assertEquals("200", with.value("completion", "status")),
                    () -> assertEquals(sha256(Bodies.CHAT_COMPLETION), without.value("completion", "body.sha256")),
                    () -> assertEquals(without.value("completion", "body.sha256"), with.value("completion", "body.sha256")),
                    () -> assertEquals(without.value("written", "body.sha256"), with.value("written", "body.sha256")),
                    () -> assertTrue(async || without.value("written", "entity").startsWith("length=")),
                    () -> assertEquals(without.value("completion", "entity"), with.value("completion", "entity")),
                    () -> assertEquals(without.value("written", "entity"), with.value("written", "entity")),
                    () -> assertEquals(without.value("stream", "entity"), with.value("stream", "entity")),
                    () -> assertTrue(without.value("stream", "body").contains("data: [DONE]")),
                    () -> assertEquals(without.value("stream", "body.sha256"), with.value("stream", "body.sha256")),
                    () -> assertTrue(without.value("retried", "body").contains("Rate limit reached")),
                    () -> assertEquals(1, without.requests("retried").size()),
                    () -> assertEquals(without.value("stream", "body.sha256"), with.value("retried", "body.sha256")),
                    () -> assertEquals(2, with.requests("retried").size()));

            Map<String, String> completion = attributes(
                    StreamsTest.callSpan(receiver, with, "completion").getAttributesList());
            assertEquals("9", completion.get("gen_ai.usage.input_tokens"), seen);
            assertEquals("3", completion.get("gen_ai.usage.output_tokens"));
            assertEquals("chatcmpl-1", completion.get("gen_ai.response.id"));
            assertEquals("[stop]", completion.get("gen_ai.response.finish_reasons"));
            Map<String, String> written = attributes(StreamsTest.callSpan(receiver, with, "written").getAttributesList());
            assertEquals("9", written.get("gen_ai.usage.input_tokens"), seen);
            Map<String, String> stream = attributes(StreamsTest.callSpan(receiver, with, "stream").getAttributesList());
            assertEquals("21", stream.get("gen_ai.usage.input_tokens"), seen);
            assertEquals("2", stream.get("gen_ai.usage.output_tokens"));
            assertEquals("gpt-4o-mini-2024-07-18", stream.get("gen_ai.response.model"));
            assertEquals("[length]", stream.get("gen_ai.response.finish_reasons"));
            Map<String, String> retried = attributes(StreamsTest.callSpan(receiver, with, "retried").getAttributesList());
            assertEquals("2", retried.get("aierr.attempts"), seen);
            assertEquals("21", retried.get("gen_ai.usage.input_tokens"));
            assertTokenUsage(receiver, 9 + 9 + 21 + 21, 3 + 3 + 2 + 2, 4);
        }
    }

    /** How many input counts the token histogram's last export holds: one per call that told its usage. */
    private static long tokenCounts(OtlpReceiver receiver) {
        List<Metric> exports = receiver.metrics("gen_ai.client.token.usage");
        return exports.isEmpty() ? 0 : exports.get(exports.size() - 1).getHistogram().getDataPointsList().stream()
                .filter(p -> "input".equals(attribute(p.getAttributesList(), "gen_ai.token.type")))
                .mapToLong(HistogramDataPoint::getCount).sum();
    }

    /**
     * The token histogram has one point per token type, summing the calls' counts, named as semconv
     * says; the duration histogram counts the calls.
     */
    private static void assertTokenUsage(OtlpReceiver receiver, long input, long output, int calls) {
        List<Metric> exports = receiver.metrics("gen_ai.client.token.usage");
        Metric last = exports.get(exports.size() - 1);
        assertEquals("{token}", last.getUnit());
        // one point per type and server: the calls of one JVM may go to several
        Map<String, List<HistogramDataPoint>> byType = last.getHistogram().getDataPointsList().stream().collect(
                Collectors.groupingBy(p -> attribute(p.getAttributesList(), "gen_ai.token.type")));
        assertEquals(input, (long) byType.get("input").stream().mapToDouble(HistogramDataPoint::getSum).sum(),
                byType.toString());
        assertEquals(output, (long) byType.get("output").stream().mapToDouble(HistogramDataPoint::getSum).sum());
        for (HistogramDataPoint point : byType.get("input")) {
            assertEquals("openai", attribute(point.getAttributesList(), "gen_ai.provider.name"));
            assertEquals("chat", attribute(point.getAttributesList(), "gen_ai.operation.name"));
        }
        List<Metric> durations = receiver.metrics("gen_ai.client.operation.duration");
        Metric duration = durations.get(durations.size() - 1);
        assertEquals("s", duration.getUnit());
        assertEquals(calls, duration.getHistogram().getDataPointsList().stream().mapToLong(HistogramDataPoint::getCount).sum());
    }

    private static Span callSpan(List<Span> spans, String app) {
        List<Span> roots = spans.stream().filter(s -> s.getParentSpanId().isEmpty()).collect(Collectors.toList());
        assertEquals(1, roots.size(), "one logical span: " + spans + "\n" + app);
        assertFalse(roots.get(0).getName().isEmpty());
        return roots.get(0);
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(kv -> out.put(kv.getKey(), attribute(list, kv.getKey())));
        return out;
    }

    private static String sha256(String text) throws Exception {
        assertTrue(text.length() > 0);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
