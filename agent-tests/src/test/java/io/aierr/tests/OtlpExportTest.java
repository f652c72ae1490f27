package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.aierr.testing.OtlpReceiver.attribute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK client in a forked JVM with the real agent jar exporting to a real OTLP/HTTP receiver;
 * what arrives is decoded with opentelemetry-proto.
 */
class OtlpExportTest {
    private static final String PATH = "/v1/chat/completions";
    /** What {@link JdkClientApp} sends in its authorization header. */
    private static final String APP_KEY = "sk-test-not-a-real-key-123456";

    /** Runs the app once against the server (as {@code provider}), exporting to {@code collector}. */
    private static ForkedJvm app(ScriptedAiServer server, String provider, String collector, String url) {
        return ForkedJvm.app(JdkClientApp.class, "url=" + url)
                .property("aierr.endpoints", server.authority() + "=" + provider)
                .property("aierr.retry.initial-backoff", "20ms")
                .property("aierr.exporter", "otlp")
                .property("otel.exporter.otlp.endpoint", collector)
                .property("otel.service.name", "otlp-export-test");
    }

    @Test
    void rateLimitedTwiceThenSuccessIsOneCallSpanWithThreeAttemptSpans() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(429).header("retry-after", "1").json(Bodies.OPENAI_RATE_LIMIT))
                    .then(Reply.status(429).header("retry-after-ms", "300").json(Bodies.OPENAI_RATE_LIMIT))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = app(server, "openai", receiver.endpoint(), server.url(PATH))
                    // the collector's host listed too, by mistake: its exports must stay untouched
                    .property("aierr.endpoints", "127.0.0.1=openai")
                    .property("aierr.summary", "true")
                    .untilSpansReceived(receiver, 4)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            long totalBackoff = number(app.stderr, "aierr summary: 1 AI call, 2 errors \\(rate_limited 2\\), 2 retries, "
                    + "(\\d+)ms total backoff");
            assertTrue(totalBackoff >= 1300, "the waits actually taken, at least the server's: " + app.stderr);

            List<Span> spans = receiver.spans();
            assertEquals(4, spans.size(), "no span for the exports themselves: " + spans);
            Span call = callSpan(spans);
            assertEquals("chat gpt-4o-mini", call.getName());
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, call.getKind());
            Map<String, String> a = attributes(call.getAttributesList());
            assertEquals("chat", a.get("gen_ai.operation.name"));
            assertEquals("gpt-4o-mini", a.get("gen_ai.request.model"));
            assertEquals("openai", a.get("gen_ai.provider.name"));
            assertEquals("openai", a.get("aierr.provider"));
            assertEquals("127.0.0.1", a.get("server.address"));
            assertEquals(Integer.toString(server.port()), a.get("server.port"));
            assertEquals(server.url(PATH), a.get("url.full"));
            assertEquals("3", a.get("aierr.attempts"));
            assertEquals(Long.toString(totalBackoff), a.get("aierr.backoff.total_ms"));
            assertEquals("200", a.get("http.response.status_code"));
            assertNull(a.get("error.type"));
            assertFalse(call.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR);

            List<Span.Event> waits = call.getEventsList();
            assertEquals(2, waits.size(), waits.toString());
            Map<String, String> first = attributes(waits.get(0).getAttributesList());
            Map<String, String> second = attributes(waits.get(1).getAttributesList());
            assertEquals("retry-after", first.get("aierr.backoff.source"));
            assertEquals("retry-after-ms", second.get("aierr.backoff.source"));
            long firstWait = Long.parseLong(first.get("aierr.backoff.delay_ms"));
            long secondWait = Long.parseLong(second.get("aierr.backoff.delay_ms"));
            assertTrue(firstWait >= 1000 && secondWait >= 300, waits.toString());
            assertEquals(totalBackoff, firstWait + secondWait, "the call's total is the sum of its measured waits");
            assertTrue(waits.stream().allMatch(e -> e.getName().equals("aierr.backoff")));

            List<Span> attempts = attemptSpans(spans, call);
            assertEquals(3, attempts.size());
            for (int i = 0; i < 3; i++) {
                Span attempt = attempts.get(i);
                Map<String, String> at = attributes(attempt.getAttributesList());
                assertEquals("POST", attempt.getName());
                assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, attempt.getKind());
                assertEquals("POST", at.get("http.request.method"));
                assertEquals(i == 0 ? null : Integer.toString(i), at.get("http.request.resend_count"));
                assertEquals(server.url(PATH), at.get("url.full"));
                assertEquals("127.0.0.1", at.get("server.address"));
                assertEquals(Integer.toString(server.port()), at.get("server.port"));
            }
            for (Span limited : attempts.subList(0, 2)) {
                Map<String, String> at = attributes(limited.getAttributesList());
                assertEquals("429", at.get("http.response.status_code"));
                assertEquals("429", at.get("error.type"));
                assertEquals(Status.StatusCode.STATUS_CODE_ERROR, limited.getStatus().getCode());
                assertEquals("rate_limited", at.get("aierr.error.category"));
                assertEquals("rate_limit_exceeded", at.get("aierr.error.code"));
                assertEquals("requests", at.get("aierr.error.type"));
                assertTrue(at.get("aierr.error.message").startsWith("Rate limit reached for gpt-4o-mini"), at.toString());
                assertEquals("true", at.get("aierr.error.retryable"));
                assertNotNull(at.get("aierr.error.solution"));
                assertEquals("openai", at.get("aierr.provider"));
                assertEquals(1, limited.getEventsCount());
                Span.Event error = limited.getEvents(0);
                assertEquals("aierr.error", error.getName());
                assertEquals(errorAttributes(at), attributes(error.getAttributesList()));
            }
            Map<String, String> success = attributes(attempts.get(2).getAttributesList());
            assertEquals("200", success.get("http.response.status_code"));
            assertNull(success.get("error.type"));
            assertNull(success.get("aierr.error.category"));
            assertEquals(0, attempts.get(2).getEventsCount());

            assertEquals("otlp-export-test", attribute(receiver.traceRequests().get(0).getResourceSpans(0)
                    .getResource().getAttributesList(), "service.name"));

            NumberDataPoint errors = onePoint(lastSum(receiver, "aierr.errors"));
            assertEquals(2, errors.getAsInt());
            assertEquals(Map.of("aierr.provider", "openai", "aierr.error.category", "rate_limited",
                    "http.response.status_code", "429"), attributes(errors.getAttributesList()));
            assertEquals(2, onePoint(lastSum(receiver, "aierr.retries")).getAsInt());
            List<HistogramDataPoint> backoff = lastHistogram(receiver, "aierr.backoff.duration");
            assertEquals(2, backoff.stream().mapToLong(HistogramDataPoint::getCount).sum());
            assertEquals((double) totalBackoff, backoff.stream().mapToDouble(HistogramDataPoint::getSum).sum());
            assertEquals("s", lastMetric(receiver, "http.client.request.duration").getUnit());
            assertEquals(3, lastHistogram(receiver, "http.client.request.duration").stream()
                    .mapToLong(HistogramDataPoint::getCount).sum());
        }
    }

    @Test
    void withoutTheAgentNothingIsExported() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(429).json(Bodies.OPENAI_RATE_LIMIT));
            ForkedJvm.Result app = app(server, "openai", receiver.endpoint(), server.url(PATH)).withoutAgent().run();
            assertEquals("429", app.value("status"), app.toString());
            assertEquals(0, receiver.exportCount());
        }
    }

    @Test
    void exhausted503EndsTheCallSpanAsUnavailable() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(503).text(Bodies.NO_HEALTHY_UPSTREAM));
            ForkedJvm.Result app = app(server, "pai-eas", receiver.endpoint(), server.url("/api/predict/svc"))
                    .property("aierr.retry.max-attempts", "3")
                    .untilSpansReceived(receiver, 4)
                    .run();
            assertEquals("503", app.value("status"), app.toString());

            List<Span> spans = receiver.spans();
            Span call = callSpan(spans);
            // the path names no GenAI operation: the name says what is known
            assertEquals("POST pai-eas", call.getName());
            Map<String, String> a = attributes(call.getAttributesList());
            assertEquals("unavailable", a.get("error.type"));
            assertEquals("503", a.get("http.response.status_code"));
            assertEquals("3", a.get("aierr.attempts"));
            assertEquals("pai-eas", a.get("gen_ai.provider.name"));
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, call.getStatus().getCode());
            assertEquals("max-attempts 3 reached", call.getStatus().getMessage());
            assertEquals(2, call.getEventsCount());
            assertTrue(call.getEventsList().stream().allMatch(e -> "exponential".equals(
                    attribute(e.getAttributesList(), "aierr.backoff.source"))));

            List<Span> attempts = attemptSpans(spans, call);
            assertEquals(3, attempts.size());
            for (Span attempt : attempts) {
                Map<String, String> at = attributes(attempt.getAttributesList());
                assertEquals("503", at.get("error.type"));
                assertEquals("unavailable", at.get("aierr.error.category"));
                assertEquals(Status.StatusCode.STATUS_CODE_ERROR, attempt.getStatus().getCode());
            }
            assertEquals(3, onePoint(lastSum(receiver, "aierr.errors")).getAsInt());
        }
    }

    @Test
    void aTransportFailureIsConnectionErrorOnTheCallAndTheExceptionClassOnTheAttempt() throws Exception {
        try (ClosedPort closed = new ClosedPort(); OtlpReceiver receiver = new OtlpReceiver()) {
            // the call goes to a port nobody listens on
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=http://127.0.0.1:" + closed.port + PATH)
                    .property("aierr.endpoints", "127.0.0.1:" + closed.port + "=openai")
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .untilSpansReceived(receiver, 2)
                    .run();
            String exception = app.value("exception");
            assertTrue(exception != null && exception.startsWith("java.net.ConnectException"), app.toString());

            List<Span> spans = receiver.spans();
            Span call = callSpan(spans);
            // the GenAI call span names the final category; the attempt keeps HTTP semconv's exception class
            assertEquals("connection_error", attribute(call.getAttributesList(), "error.type"));
            assertNull(attribute(call.getAttributesList(), "http.response.status_code"));
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, call.getStatus().getCode());
            List<Span> attempts = attemptSpans(spans, call);
            assertEquals(1, attempts.size(), spans.toString());
            Span attempt = attempts.get(0);
            assertEquals("java.net.ConnectException", attribute(attempt.getAttributesList(), "error.type"));
            assertEquals("connection_error", attribute(attempt.getAttributesList(), "aierr.error.category"));
            NumberDataPoint errors = onePoint(lastSum(receiver, "aierr.errors"));
            assertEquals(Map.of("aierr.provider", "openai", "aierr.error.category", "connection_error"),
                    attributes(errors.getAttributesList()));
        }
    }

    @Test
    void secretsNeverLeaveTheProcess() throws Exception {
        String querySecret = "query-secret-789";
        String echoedKey = "{\"error\":{\"message\":\"Incorrect API key provided: " + APP_KEY + ". You can find "
                + "your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"invalid_api_key\"}}";
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(401).json(echoedKey));
            String url = server.url(PATH + "?api-version=2024-06-01&key=" + querySecret);
            ForkedJvm.Result app = app(server, "openai", receiver.endpoint(), url).untilSpansReceived(receiver, 2).run();
            assertEquals("401", app.value("status"), app.toString());

            List<Span> spans = receiver.spans();
            Span call = callSpan(spans);
            assertEquals(server.url(PATH + "?api-version=2024-06-01&key=REDACTED"),
                    attribute(call.getAttributesList(), "url.full"));
            List<Span> attempts = attemptSpans(spans, call);
            assertEquals(1, attempts.size(), spans.toString());
            Span attempt = attempts.get(0);
            assertEquals("authentication", attribute(attempt.getAttributesList(), "aierr.error.category"));
            assertEquals("invalid_api_key", attribute(attempt.getAttributesList(), "aierr.error.code"));
            assertTrue(attribute(attempt.getAttributesList(), "aierr.error.message")
                    .startsWith("Incorrect API key provided: sk-REDACTED."), attempt.toString());

            assertTrue(receiver.exportCount() >= 2, "traces and metrics arrived");
            for (byte[] body : receiver.rawBodies()) {
                String bytes = new String(body, StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(APP_KEY), "the app's API key was exported");
                assertFalse(bytes.contains("not-a-real-key"), "part of the app's API key was exported");
                assertFalse(bytes.contains(querySecret), "the key= query value was exported");
                assertFalse(bytes.toLowerCase().contains("bearer"), "an authorization header was exported");
            }
        }
    }

    enum BrokenCollector { CLOSED_PORT, ANSWERS_500, HANGS }

    @ParameterizedTest
    @EnumSource(BrokenCollector.class)
    void aBrokenCollectorNeitherSlowsTheCallNorHoldsTheExit(BrokenCollector broken) throws Exception {
        OtlpReceiver.Mode mode = broken == BrokenCollector.HANGS ? OtlpReceiver.Mode.HANG : OtlpReceiver.Mode.ANSWER_500;
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver(mode);
             ClosedPort closed = new ClosedPort()) {
            server.then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            String collector = broken == BrokenCollector.CLOSED_PORT ? "http://127.0.0.1:" + closed.port
                    : receiver.endpoint();
            ForkedJvm.Result app = app(server, "openai", collector, server.url(PATH)).run();

            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount());
            // An export in the call's path or an unbounded exit flush waits for the exporter's 10 s
            // timeout on the hanging collector; the bounded exit flush takes at most 2 s. Measured
            // without the JVM's start, which a loaded machine stretches to 7-15 s, and with room
            // for a loaded machine's slower call and exit.
            assertTrue(Long.parseLong(app.value("elapsed.ms")) < 8_000, "the call was slowed\n" + app);
            assertTrue(app.millisAfterLastOutput < 7_000,
                    "the exit was held " + app.millisAfterLastOutput + " ms\n" + app);
            if (broken != BrokenCollector.CLOSED_PORT) {
                assertTrue(receiver.exportCount() >= 1, "the exporter did reach the collector");
            }
            assertFalse(app.stderr.contains("\tat "), "no stack trace on the app's stderr\n" + app.stderr);
            assertTrue(app.stderr.lines().filter(l -> l.contains("OpenTelemetry export")).count() <= 1, app.stderr);
            assertFalse(app.stderr.contains("SEVERE"), app.stderr);
        }
    }

    @Test
    void spansThatNeverReachTheCollectorAreCountedInTheSummary() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer();
             OtlpReceiver receiver = new OtlpReceiver(OtlpReceiver.Mode.HANG)) {
            Reply limited = Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT);
            server.then(limited).then(limited).then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            // the first span's export hangs, the second fills the one-span queue, the others are dropped
            ForkedJvm.Result app = app(server, "openai", receiver.endpoint(), server.url(PATH))
                    .property("otel.bsp.max.queue.size", "1")
                    .property("aierr.summary", "true")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertTrue(number(app.stderr, "aierr summary: 1 AI call, 2 errors \\(rate_limited 2\\), 2 retries, "
                    + "(\\d+)ms total backoff, 4 of 4 spans not exported\n") >= 100, app.stderr);
        }
    }

    @Test
    void theSdkLoadsOnTheFirstAiCallOnly() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm plain = ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                    .property("aierr.exporter", "otlp")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .jvmArg("-verbose:class");
            ForkedJvm.Result notAi = plain.run();
            assertEquals("200", notAi.value("status"), notAi.toString());
            assertFalse(notAi.stdout.contains("io.aierr.shaded.io.opentelemetry"), "SDK loaded without an AI call");

            ForkedJvm.Result ai = plain.property("aierr.endpoints", server.authority() + "=openai").run();
            assertEquals("200", ai.value("status"), ai.toString());
            assertTrue(ai.stdout.contains("io.aierr.shaded.io.opentelemetry.sdk"), "SDK loaded for the AI call");
        }
    }

    @Test
    void theBundledSdkExportsOnJdk25Too() throws Exception {
        Optional<Path> jdk25 = ForkedJvm.jdk25();
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = app(server, "openai", receiver.endpoint(), server.url(PATH))
                    .javaHome(jdk25.get()).untilSpansReceived(receiver, 3).run();
            assertEquals("200", app.value("status"), app.toString());
            Span call = callSpan(receiver.spans());
            assertEquals(2, attemptSpans(receiver.spans(), call).size());
            assertEquals(1, onePoint(lastSum(receiver, "aierr.retries")).getAsInt());
        }
    }

    /**
     * A local port that stays closed while the test runs: bound, so that nothing else can take it,
     * but never listening, so that a connection to it is refused. (A port found free and released
     * may be taken again, by another test's server or as a connection's own port, before the app uses it.)
     */
    private static final class ClosedPort implements AutoCloseable {
        private final Socket socket = new Socket();
        final int port;

        ClosedPort() throws IOException {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Span callSpan(List<Span> spans) {
        List<Span> roots = spans.stream().filter(s -> s.getParentSpanId().isEmpty()).collect(Collectors.toList());
        assertEquals(1, roots.size(), "one logical span: " + spans);
        return roots.get(0);
    }

    /** The call's children in the order they started, checked to be in its trace. */
    private static List<Span> attemptSpans(List<Span> spans, Span call) {
        List<Span> children = spans.stream().filter(s -> s != call).sorted(Comparator.comparingLong(
                Span::getStartTimeUnixNano)).collect(Collectors.toList());
        for (Span child : children) {
            assertEquals(call.getTraceId(), child.getTraceId());
            assertEquals(call.getSpanId(), child.getParentSpanId());
        }
        return children;
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(kv -> out.put(kv.getKey(), attribute(list, kv.getKey())));
        return out;
    }

    /** The classified-error subset of an attempt's attributes, which its aierr.error event repeats. */
    private static Map<String, String> errorAttributes(Map<String, String> attempt) {
        Map<String, String> out = new TreeMap<>();
        attempt.forEach((k, v) -> {
            if (k.startsWith("aierr.error.") || k.equals("aierr.provider")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Cumulative metrics: the last export holds the totals. */
    private static Metric lastMetric(OtlpReceiver receiver, String name) {
        List<Metric> all = receiver.metrics(name);
        assertFalse(all.isEmpty(), "no metric " + name + " exported");
        return all.get(all.size() - 1);
    }

    private static List<NumberDataPoint> lastSum(OtlpReceiver receiver, String name) {
        return lastMetric(receiver, name).getSum().getDataPointsList();
    }

    private static List<HistogramDataPoint> lastHistogram(OtlpReceiver receiver, String name) {
        return lastMetric(receiver, name).getHistogram().getDataPointsList();
    }

    private static NumberDataPoint onePoint(List<NumberDataPoint> points) {
        assertEquals(1, points.size(), points.toString());
        return points.get(0);
    }

    /** The number the pattern's one group matches in {@code text}; fails the test when it does not match. */
    private static long number(String text, String pattern) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), "no match for " + pattern + " in: " + text);
        return Long.parseLong(m.group(1));
    }
}
