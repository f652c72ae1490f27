package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.TracedApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Recorded;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.aierr.tests.support.SpanTree;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.aierr.testing.OtlpReceiver.attribute;
import static io.aierr.tests.support.SpanTree.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * aierr with the OpenTelemetry Java agent 2.33.0 in the same JVM, both exporting to one OTLP
 * receiver: side by side ({@code -javaagent} twice) and as the agent's extension. The app traces its
 * own work through the OpenTelemetry API, which the agent bridges.
 */
class OtelAgentTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String AGENT_HTTP_SCOPE = "io.opentelemetry.java-http-client";
    /** The app's two spans, aierr's call span for each, its five attempt spans, the agent's span for each attempt. */
    private static final int SPANS_WITH_AIERR = 2 + 2 + 5 + 5;

    /** The app's sync call is rate limited twice, its async call once. */
    private static ScriptedAiServer scripted(ScriptedAiServer server) {
        Reply limited = Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT);
        Reply ok = Reply.status(200).json(Bodies.CHAT_COMPLETION);
        return server.then(limited).then(limited).then(ok).then(limited).then(ok);
    }

    /**
     * The app under the OpenTelemetry agent, exporting spans only, to the receiver; it stays up until
     * the receiver has {@code spans} spans: both agents export while it runs, when the agent would
     * trace aierr's exports if it could.
     */
    private static ForkedJvm tracedApp(ScriptedAiServer server, OtlpReceiver receiver, int spans) {
        return tracedApp(server, receiver).untilSpansReceived(receiver, spans);
    }

    /** The same app, exiting when its main returns. */
    private static ForkedJvm tracedApp(ScriptedAiServer server, OtlpReceiver receiver) {
        return ForkedJvm.app(TracedApp.class, "url=" + server.url(PATH))
                .agentBefore(ForkedJvm.otelAgentJar())
                .library("opentelemetry-api-1").library("opentelemetry-context-1").library("opentelemetry-common-1")
                .property("otel.service.name", "traced-app")
                .property("otel.exporter.otlp.protocol", "http/protobuf")
                .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                .property("otel.metrics.exporter", "none")
                .property("otel.logs.exporter", "none")
                .property("aierr.endpoints", server.authority() + "=openai")
                .property("aierr.exporter", "otlp");
    }

    @Test
    void sideBySideEveryAttemptNestsInOneTraceUnderTheAppsSpan() throws Exception {
        try (ScriptedAiServer server = scripted(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = tracedApp(server, receiver, SPANS_WITH_AIERR).run();
            assertOneTreePerAppSpan(app, new SpanTree(receiver.traceRequests()), server.requests());
        }
    }

    @Test
    void asTheAgentsExtensionAierrStartsItselfAndBuildsTheSameTree() throws Exception {
        try (ScriptedAiServer server = scripted(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = tracedApp(server, receiver, SPANS_WITH_AIERR).withoutAgent()
                    .property("otel.javaagent.extensions", ForkedJvm.agentJar().toString())
                    .run();
            assertTrue(app.stderr.contains("aierr: started as an OpenTelemetry Java agent extension"), app.stderr);
            assertOneTreePerAppSpan(app, new SpanTree(receiver.traceRequests()), server.requests());
        }
    }

    @Test
    void asTheAgentsExtensionAierrsSpansAndMetricsGoThroughTheAgentsPipeline() throws Exception {
        try (ScriptedAiServer server = scripted(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = tracedApp(server, receiver).withoutAgent()
                    .property("otel.javaagent.extensions", ForkedJvm.agentJar().toString())
                    .env("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=ext-test,team=ml")
                    .property("otel.metrics.exporter", "otlp")
                    .property("otel.metric.export.interval", "300")
                    .property("otel.metric.export.timeout", "10000")
                    .untilReceived(receiver, r -> r.spans().size() >= SPANS_WITH_AIERR
                            && !r.metrics("aierr.retries").isEmpty())
                    .run();
            SpanTree tree = new SpanTree(receiver.traceRequests());
            assertOneTreePerAppSpan(app, tree, server.requests());
            String picture = app + "\n--- spans\n" + tree.render();
            // one pipeline: aierr's spans are in the agent's own exports, under the agent's resource
            int aierrSpans = 0;
            for (ExportTraceServiceRequest request : receiver.traceRequests()) {
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    List<KeyValue> resource = rs.getResource().getAttributesList();
                    assertEquals("ext-test", attribute(resource, "deployment.environment.name"), picture);
                    assertEquals("ml", attribute(resource, "team"), picture);
                    assertEquals("traced-app", attribute(resource, "service.name"), picture);
                    // set by the agent's own resource, which aierr's bundled SDK does not make
                    assertNotNull(attribute(resource, "telemetry.distro.name"), resource.toString());
                    aierrSpans += (int) rs.getScopeSpansList().stream().filter(ss -> ss.getScope().getName()
                            .equals("io.aierr")).mapToLong(ss -> ss.getSpansCount()).sum();
                }
            }
            assertEquals(2 + 5, aierrSpans, picture);
            // and its metrics are the agent's, with the agent's resource
            assertFalse(receiver.metrics("aierr.retries").isEmpty());
            receiver.metricRequests().forEach(r -> r.getResourceMetricsList().forEach(rm -> assertEquals("ext-test",
                    attribute(rm.getResource().getAttributesList(), "deployment.environment.name"))));
            assertFalse(app.stderr.contains("OpenTelemetry export"), app.stderr);
        }
    }

    @Test
    void asTheAgentsExtensionAierrExportsNothingWhenTheAgentExportsNoTraces() throws Exception {
        try (ScriptedAiServer server = scripted(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = tracedApp(server, receiver).withoutAgent()
                    .property("otel.javaagent.extensions", ForkedJvm.agentJar().toString())
                    .property("otel.traces.exporter", "none")
                    .property("aierr.summary", "true")
                    .run();
            assertTrue(app.stderr.contains("aierr: started as an OpenTelemetry Java agent extension"), app.stderr);
            assertEquals("200", app.value("send.status"), app.toString());
            assertEquals("200", app.value("async.status"), app.toString());
            assertEquals(5, server.requestCount(), "aierr retried as ever");
            assertTrue(app.stderr.contains("aierr summary: 2 AI calls"), app.stderr);
            assertEquals(0, receiver.exportCount(), "no span of the app's, the agent's or aierr's");
        }
    }

    /**
     * Each app span has aierr's call span as its only child, the call an attempt span per request,
     * each attempt exactly one span of the agent's; nothing else starts a trace or misses a parent,
     * and each request carries the agent's span for it in the app's trace.
     */
    private static void assertOneTreePerAppSpan(ForkedJvm.Result app, SpanTree tree, List<Recorded> requests) {
        String picture = app + "\n--- spans\n" + tree.render();
        assertEquals("200", app.value("send.status"), picture);
        assertEquals("200", app.value("async.status"), picture);
        assertEquals(List.of(), tree.duplicateIds(), picture);
        assertEquals(List.of(), tree.orphans(), picture);
        assertEquals(2, tree.roots().size(), "only the app's two spans start traces, aierr's exports are not traced\n"
                + picture);
        assertEquals(5, requests.size(), picture);
        List<Span> agentSpans = new ArrayList<>();
        for (String mode : List.of("send", "async")) {
            Span appSpan = tree.byId(app.value(mode + ".span"));
            assertNotNull(appSpan, "the app's " + mode + " span was exported\n" + picture);
            assertEquals("app " + mode, appSpan.getName(), picture);
            assertEquals("none", app.value(mode + ".request.traceparent"), "the app's request is never changed");
            List<Span> calls = tree.children(appSpan);
            assertEquals(1, calls.size(), picture);
            Span call = calls.get(0);
            assertEquals("io.aierr", tree.scope(call));
            assertEquals("chat gpt-4o-mini", call.getName());
            List<Span> attempts = tree.children(call);
            assertEquals(mode.equals("send") ? 3 : 2, attempts.size(), picture);
            for (Span attempt : attempts) {
                assertEquals("io.aierr", tree.scope(attempt), picture);
                List<Span> http = tree.children(attempt);
                assertEquals(1, http.size(), "one agent span per attempt\n" + picture);
                assertEquals(AGENT_HTTP_SCOPE, tree.scope(http.get(0)), picture);
                assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, http.get(0).getKind());
                assertEquals(attribute(attempt.getAttributesList(), "http.response.status_code"),
                        attribute(http.get(0).getAttributesList(), "http.response.status_code"), picture);
                assertEquals(hex(appSpan.getTraceId()), hex(http.get(0).getTraceId()));
                agentSpans.add(http.get(0));
            }
        }
        for (int i = 0; i < requests.size(); i++) {
            String traceparent = requests.get(i).headers.get("traceparent");
            Span http = agentSpans.get(i);
            assertTrue(traceparent.matches("00-" + hex(http.getTraceId()) + "-" + hex(http.getSpanId()) + "-0[0-9a-f]"),
                    "request " + i + " carried " + traceparent + "\n" + picture);
        }
    }

    @Test
    void withoutAierrTheAgentAloneShowsOneRequestPerCall() throws Exception {
        try (ScriptedAiServer server = scripted(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            // the app's two spans and the agent's span for each of the two requests
            ForkedJvm.Result app = tracedApp(server, receiver, 4).withoutAgent().run();
            SpanTree tree = new SpanTree(receiver.traceRequests());
            String picture = app + "\n--- spans\n" + tree.render();
            assertEquals("429", app.value("send.status"), picture);
            assertEquals(2, server.requestCount());
            Span appSpan = tree.byId(app.value("send.span"));
            assertNotNull(appSpan, "the app's span was exported\n" + picture);
            List<Span> children = tree.children(appSpan);
            assertEquals(1, children.size(), picture);
            assertEquals(AGENT_HTTP_SCOPE, tree.scope(children.get(0)), picture);
        }
    }
}
