package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
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

    /** An app of the client tests ({@code call=name url} arguments, see AppCall), one call per name. */
    private static ForkedJvm clientApp(Class<?> main, ScriptedAiServer server, OtlpReceiver receiver,
                                       String... callNames) {
        String[] calls = Arrays.stream(callNames).map(name -> "call=" + name + " " + server.url(PATH) + " mode=" + name)
                .toArray(String[]::new);
        return exporting(ForkedJvm.app(main, calls), server, receiver);
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
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "mode=" + mode).run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals("none", app.value("request.traceparent"), "the app's request object is never changed");

            SpanTree tree = new SpanTree(receiver.traceRequests());
            Span call = tree.roots().get(0);
            assertEquals(1, tree.roots().size(), tree.render());
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

    @Test
    void apacheHttpClient5AttemptsCarryTheirOwnSpanAsParent() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(rateLimitedOnce(server));
            ForkedJvm.Result app = clientApp(Hc5ClassicApp.class, server, receiver, "open", "handler")
                    .library("httpclient5-").library("httpcore5-").library("slf4j-api").run();
            assertEquals("200", app.value("open.status"), app.toString());
            assertEquals("200", app.value("handler.status"), app.toString());
            assertEquals("none", app.value("open.request.traceparent"), "the app's request object is left as it was");
            assertEquals("none", app.value("handler.request.traceparent"));

            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertEquals(2, tree.roots().size(), tree.render());
            assertEquals(attemptTraceparents(tree), sentTraceparents(server), tree.render());
        }
    }

    /**
     * OkHttp's first attempt is the app's own call, whose request cannot change once it runs: it goes
     * out as the app made it. Every retry carries its own attempt span as parent.
     */
    @Test
    void okHttpRetriesCarryTheirOwnSpanAsParent() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer(); OtlpReceiver receiver = new OtlpReceiver()) {
            rateLimitedOnce(rateLimitedOnce(server));
            ForkedJvm.Result app = clientApp(OkHttpClientApp.class, server, receiver, "execute", "enqueue")
                    .jarsIn(OkHttpClientTest.OkHttp.V4.jars()).run();
            assertEquals("200", app.value("execute.status"), app.toString());
            assertEquals("200", app.value("enqueue.status"), app.toString());

            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertEquals(2, tree.roots().size(), tree.render());
            List<String> expected = attemptTraceparents(tree);
            expected.set(0, null);
            expected.set(2, null);
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
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "traceparent=" + appHeader).run();
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
            ForkedJvm.Result app = app(JdkClientApp.class, server, receiver, "traceparent=vendor-specific").run();
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
