package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.Hc4ClientApp;
import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.apps.TracedApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.aierr.tests.support.SpanTree;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static io.aierr.tests.support.SpanTree.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * W3C trace context without the OpenTelemetry agent: each attempt's request names aierr's attempt
 * span as its parent, and aierr's call span continues the trace the app propagates (a traceparent
 * it set itself, or the current span of its own OpenTelemetry SDK).
 */
class TraceContextTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String APP_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String APP_PARENT = "b7ad6b7169203331";

    private static ForkedJvm app(Class<?> main, ScriptedAiServer server, OtlpReceiver receiver, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "url=" + server.url(PATH);
        System.arraycopy(args, 0, all, 1, args.length);
        return exporting(ForkedJvm.app(main, all), server, receiver);
    }

    private static ForkedJvm exporting(ForkedJvm jvm, ScriptedAiServer server, OtlpReceiver receiver) {
        return jvm.property("aierr.endpoints", server.authority() + "=openai")
                .property("aierr.exporter", "otlp")
                .property("otel.exporter.otlp.endpoint", receiver.endpoint());
    }

    private static ScriptedAiServer rateLimitedOnce(ScriptedAiServer server) {
        return server.then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
    }

    /** The call span and its attempt spans, checked to be one tree. */
    private static List<Span> attempts(SpanTree tree, Span call) {
        List<Span> attempts = tree.children(call);
        attempts.forEach(a -> assertEquals(call.getTraceId(), a.getTraceId()));
        return attempts;
    }

    /** What a request sent for this span carries: its ids and trace flags (sampled, and random ids from SDK 1.6x). */
    private static String traceparent(Span span) {
        return "00-" + hex(span.getTraceId()) + "-" + hex(span.getSpanId()) + String.format("-%02x", span.getFlags() & 0xff);
    }

    private static List<String> sentTraceparents(ScriptedAiServer server) {
        return server.requests().stream().map(r -> r.headers.get("traceparent")).collect(Collectors.toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"send", "async"})
    void eachAttemptCarriesItsOwnSpanAsParent(String mode) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            server.then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT));
            rateLimitedOnce(server);
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "mode=" + mode)
                    .untilSpansReceived(receiver, 4).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals("none", app.value("request.traceparent"), "the app's request object is never changed");

            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertEquals(1, tree.roots().size(), app + "\n--- spans\n" + tree.render());
            Span call = tree.roots().get(0);
            List<Span> attempts = attempts(tree, call);
            assertEquals(3, attempts.size(), tree.render());
            assertEquals(attempts.stream().map(TraceContextTest::traceparent).collect(Collectors.toList()),
                    sentTraceparents(server), tree.render());
        }
    }

    /** What each attempt span's request carries, call after call in the order they started. */
    private static List<String> attemptTraceparents(SpanTree tree) {
        return tree.roots().stream().sorted(Comparator.comparingLong(Span::getStartTimeUnixNano))
                .flatMap(call -> attempts(tree, call).stream()).map(TraceContextTest::traceparent)
                .collect(Collectors.toList());
    }

    /**
     * The other clients, each run with two AI calls made two ways. OkHttp's and HttpClient 5 async's
     * first attempt goes out as the app made it: OkHttp's call is already running with a request
     * that cannot change, and HttpClient 5 async reads the emitted request itself. Every other
     * attempt carries its own attempt span as parent.
     */
    enum OtherClient {
        OKHTTP_3(OkHttpClientApp.class, "mode", "execute", "enqueue", false),
        OKHTTP_4(OkHttpClientApp.class, "mode", "execute", "enqueue", false),
        OKHTTP_5(OkHttpClientApp.class, "mode", "execute", "enqueue", false),
        APACHE_4(Hc4ClientApp.class, "mode", "open", "handler", true),
        APACHE_5(Hc5ClassicApp.class, "mode", "open", "handler", true),
        APACHE_5_ASYNC(Hc5AsyncApp.class, "api", "simple", "stream", false);

        final Class<?> app;
        final List<String> calls;
        final boolean firstAttemptCarriesIt;
        private final String option;

        OtherClient(Class<?> app, String option, String first, String second, boolean firstAttemptCarriesIt) {
            this.app = app;
            this.option = option;
            this.calls = List.of(first, second);
            this.firstAttemptCarriesIt = firstAttemptCarriesIt;
        }

        ForkedJvm jvm(ScriptedAiServer server) {
            ForkedJvm jvm = ForkedJvm.app(app, calls.stream()
                    .map(c -> "call=" + c + " " + server.url(PATH) + " " + option + "=" + c).toArray(String[]::new));
            switch (this) {
                case OKHTTP_3 -> jvm.jarsIn(OkHttpClientTest.OkHttp.V3.jars());
                case OKHTTP_4 -> jvm.jarsIn(OkHttpClientTest.OkHttp.V4.jars());
                case OKHTTP_5 -> jvm.jarsIn(OkHttpClientTest.OkHttp.V5.jars());
                case APACHE_4 -> jvm.library("httpclient-4").library("httpcore-4").library("commons-logging")
                        .library("commons-codec");
                default -> jvm.library("httpclient5-").library("httpcore5-").library("slf4j-api");
            }
            return jvm;
        }
    }

    @ParameterizedTest
    @EnumSource(OtherClient.class)
    void otherClientsAttemptsCarryTheirOwnSpanAsParent(OtherClient client) throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(rateLimitedOnce(server));
            ForkedJvm.Result app = exporting(client.jvm(server), server, receiver).untilSpansReceived(receiver, 6).run();
            for (String call : client.calls) {
                assertEquals("200", app.value(call + ".status"), app.toString());
                String left = app.value(call + ".request.traceparent");
                assertTrue(left == null || left.equals("none"), "the app's request object is left as it was: " + left);
            }

            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertEquals(2, tree.roots().size(), tree.render());
            List<String> expected = attemptTraceparents(tree);
            if (!client.firstAttemptCarriesIt) {
                expected.set(0, null);
                expected.set(2, null);
            }
            assertEquals(expected, sentTraceparents(server), tree.render());
        }
    }

    @Test
    void withoutTheAgentNoTraceparentIsSent() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(server);
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver).withoutAgent().run();
            assertEquals("429", app.value("status"), app.toString());
            assertEquals(1, server.requestCount());
            assertNull(server.requests().get(0).headers.get("traceparent"));
        }
    }

    @Test
    void aTraceparentTheAppSetsIsContinued() throws Exception {
        String appHeader = "00-" + APP_TRACE + "-" + APP_PARENT + "-01";
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(server);
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "traceparent=" + appHeader)
                    .untilSpansReceived(receiver, 3).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(appHeader, app.value("request.traceparent"));

            SpanTree tree = new SpanTree(receiver.traceRequests());
            List<Span> calls = tree.all().stream().filter(s -> hex(s.getParentSpanId()).equals(APP_PARENT))
                    .collect(Collectors.toList());
            assertEquals(1, calls.size(), tree.render());
            Span call = calls.get(0);
            assertEquals(APP_TRACE, hex(call.getTraceId()));
            // the server sees the app's trace, with aierr's attempt in place of the app's parent
            assertEquals(attempts(tree, call).stream().map(TraceContextTest::traceparent).collect(Collectors.toList()),
                    sentTraceparents(server), tree.render());
        }
    }

    @Test
    void aTraceparentAierrCannotReadIsLeftAsItIs() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(server);
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "traceparent=vendor-specific")
                    .untilSpansReceived(receiver, 3).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(List.of("vendor-specific", "vendor-specific"), sentTraceparents(server));
            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertEquals(1, tree.roots().size(), "a trace of its own: " + tree.render());
        }
    }

    @Test
    void theSpanOfTheAppsOwnSdkIsTheParent() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(rateLimitedOnce(server));
            ForkedJvm.Result app = app(TracedApp.class, server, receiver, "sdk=own")
                    .library("opentelemetry-api-1").library("opentelemetry-context-1")
                    .library("opentelemetry-sdk-trace-1").library("opentelemetry-sdk-common-1")
                    .library("opentelemetry-common-1")
                    .untilSpansReceived(receiver, 6)
                    .run();
            SpanTree tree = new SpanTree(receiver.traceRequests());
            List<Recorded> requests = server.requests();
            assertEquals(4, requests.size(), app.toString());
            for (String mode : List.of("send", "async")) {
                assertEquals("200", app.value(mode + ".status"), app.toString());
                assertEquals("none", app.value(mode + ".request.traceparent"));
                String appSpan = app.value(mode + ".span");
                List<Span> calls = tree.all().stream().filter(s -> hex(s.getParentSpanId()).equals(appSpan))
                        .collect(Collectors.toList());
                assertEquals(1, calls.size(), mode + " call under the app's span " + appSpan + "\n" + tree.render());
                assertEquals(app.value(mode + ".trace"), hex(calls.get(0).getTraceId()));
                assertEquals(2, attempts(tree, calls.get(0)).size(), tree.render());
            }
            assertTrue(requests.stream().allMatch(r -> r.headers.get("traceparent").startsWith(
                    "00-" + app.value(requests.indexOf(r) < 2 ? "send.trace" : "async.trace") + "-")),
                    requests.stream().map(r -> r.headers.get("traceparent")).collect(Collectors.toList()).toString());
        }
    }
}
