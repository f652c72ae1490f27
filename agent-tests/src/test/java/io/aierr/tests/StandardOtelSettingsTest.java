package io.aierr.tests;

import io.aierr.testing.OtlpReceiver;
import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import io.opentelemetry.proto.common.v1.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static io.aierr.testing.OtlpReceiver.attribute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standard OpenTelemetry settings ({@code otel.*} / {@code OTEL_*}) as OpenTelemetry's own
 * autoconfiguration reads them, for aierr's bundled SDK: the app sets them as it would for the
 * OpenTelemetry Java agent and real OTLP receivers decode what arrives.
 */
class StandardOtelSettingsTest {
    private static final String PATH = "/v1/chat/completions";

    /** A 429 then a 200: a call span, two attempt spans, an error and a retry counted. */
    private static ScriptedAiServer retriedOnce(ScriptedAiServer server) {
        return server.then(Reply.status(429).header("retry-after-ms", "50").json(Bodies.OPENAI_RATE_LIMIT))
                .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
    }

    private static ForkedJvm app(ScriptedAiServer server) {
        return ForkedJvm.app(JdkClientApp.class, "url=" + server.url(PATH))
                .property("aierr.endpoints", server.authority() + "=openai")
                .property("aierr.exporter", "otlp");
    }

    @Test
    void resourceAttributesFromTheEnvironmentAndOneEndpointPerSignal() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer());
             OtlpReceiver traces = new OtlpReceiver(); OtlpReceiver metrics = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .env("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,team=ml")
                    .env("OTEL_SERVICE_NAME", "settings-test")
                    .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.endpoint() + "/v1/traces")
                    .env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metrics.endpoint() + "/v1/metrics")
                    .env("OTEL_METRIC_EXPORT_INTERVAL", "200")
                    // the export timeout defaults to the interval, which a loaded machine can exceed
                    .env("OTEL_METRIC_EXPORT_TIMEOUT", "10000")
                    // metrics arrive every 200 ms: their receiver checks for both
                    .untilReceived(metrics, r -> !r.metricRequests().isEmpty() && traces.spans().size() >= 3)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, traces.spans().size(), app.toString());
            assertTrue(traces.metricRequests().isEmpty(), "no metrics at the traces endpoint");
            traces.traceRequests().forEach(r -> r.getResourceSpansList().forEach(rs -> assertOurResource(
                    rs.getResource().getAttributesList())));

            assertFalse(metrics.metricRequests().isEmpty(), app.toString());
            assertTrue(metrics.traceRequests().isEmpty(), "no spans at the metrics endpoint");
            assertFalse(metrics.metrics("aierr.retries").isEmpty());
            metrics.metricRequests().forEach(r -> r.getResourceMetricsList().forEach(rm -> assertOurResource(
                    rm.getResource().getAttributesList())));
            assertFalse(app.stderr.contains("OpenTelemetry export"), app.stderr);
        }
    }

    private static void assertOurResource(List<KeyValue> resource) {
        assertEquals("staging", attribute(resource, "deployment.environment.name"), resource.toString());
        assertEquals("ml", attribute(resource, "team"));
        assertEquals("settings-test", attribute(resource, "service.name"));
        assertEquals("opentelemetry", attribute(resource, "telemetry.sdk.name"));
    }

    @Test
    void sdkDisabledExportsNothingAndTheCallIsRetriedAsEver() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .env("OTEL_SDK_DISABLED", "true")
                    .jvmArg("-verbose:class")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount());
            assertEquals(0, receiver.exportCount());
            assertFalse(app.stdout.contains("io.aierr.shaded.io.opentelemetry.sdk"), "no SDK loaded");
        }
    }

    @Test
    void exporterNoneLoadsNoSdkWhateverTheOtelSettingsSay() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("aierr.exporter", "none")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .property("otel.exporter.otlp.protocol", "grpc")
                    .jvmArg("-verbose:class")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount());
            assertEquals(0, receiver.exportCount());
            assertFalse(app.stdout.contains("io.aierr.shaded.io.opentelemetry"), "no OpenTelemetry class loaded");
            assertFalse(app.stderr.contains("grpc"), "no warning about an export that is off\n" + app.stderr);
        }
    }

    @Test
    void aSettingTheSdkRejectsIsOneWarningAndTheAppGoesOn() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .property("otel.traces.sampler", "sometimes")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount());
            assertEquals(0, receiver.exportCount());
            List<String> aierrLines = app.stderr.lines().filter(l -> l.contains("OpenTelemetry"))
                    .collect(Collectors.toList());
            assertEquals(1, aierrLines.size(), app.stderr);
            assertTrue(aierrLines.get(0).startsWith("aierr: OpenTelemetry export off, a setting was rejected: ")
                    && aierrLines.get(0).contains("sometimes"), app.stderr);
            assertFalse(app.stderr.contains("\tat "), "no stack trace\n" + app.stderr);
        }
    }

    @Test
    void eachSignalsExportFailureIsSaidOnceAndOneDoesNotHideTheOther() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer());
             OtlpReceiver broken = new OtlpReceiver(OtlpReceiver.Mode.ANSWER_500);
             OtlpReceiver tracesOnly = new OtlpReceiver()) {
            // spans fail first (a collector answering 500); metrics fail later, at a backend that has
            // no metrics intake (404, as Jaeger answers), read every 300 ms while the app stays up
            // long after the spans' failure
            ForkedJvm.Result app = app(server)
                    .property("otel.exporter.otlp.traces.endpoint", broken.endpoint() + "/v1/traces")
                    .property("otel.exporter.otlp.metrics.endpoint", tracesOnly.endpoint() + "/v1/no-metrics-here")
                    .property("otel.metric.export.interval", "300")
                    .property("otel.metric.export.timeout", "10000")
                    .untilReceived(tracesOnly, r -> r.exportCount() >= 3 && broken.exportCount() >= 1)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            List<String> failures = app.stderr.lines().filter(l -> l.contains("OpenTelemetry export"))
                    .collect(Collectors.toList());
            assertEquals(2, failures.size(), app.stderr);
            String spans = failures.stream().filter(l -> l.contains("export of traces")).findFirst().orElse("");
            String metrics = failures.stream().filter(l -> l.contains("export of metrics")).findFirst().orElse("");
            assertTrue(spans.contains(broken.endpoint() + "/v1/traces") && spans.contains("500"), app.stderr);
            assertTrue(metrics.contains("/v1/no-metrics-here") && metrics.contains("404"), app.stderr);
            assertFalse(app.stderr.contains("\tat "), "no stack trace\n" + app.stderr);
        }
    }

    @Test
    void metricsExporterNoneSendsSpansOnly() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .env("OTEL_METRICS_EXPORTER", "none")
                    .property("otel.metric.export.interval", "100")
                    .untilSpansReceived(receiver, 3)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, receiver.spans().size());
            assertTrue(receiver.metricRequests().isEmpty());
            assertFalse(app.stderr.contains("OpenTelemetry export"), app.stderr);
        }
    }

    @Test
    void grpcIsExportedAsHttpProtobufWithOneWarning() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("otel.exporter.otlp.protocol", "grpc")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .untilSpansReceived(receiver, 3)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, receiver.spans().size(), app.toString());
            List<String> grpc = app.stderr.lines().filter(l -> l.contains("grpc")).collect(Collectors.toList());
            assertEquals(1, grpc.size(), app.stderr);
            assertTrue(grpc.get(0).contains("4318") && grpc.get(0).contains(receiver.endpoint() + "/v1/traces"),
                    app.stderr);
        }
    }

    @Test
    void otlpAndConsoleTogether() throws Exception {
        try (ScriptedAiServer server = retriedOnce(new ScriptedAiServer()); OtlpReceiver receiver = new OtlpReceiver()) {
            ForkedJvm.Result app = app(server)
                    .property("aierr.exporter", "otlp,console")
                    .property("otel.exporter.otlp.endpoint", receiver.endpoint())
                    .untilSpansReceived(receiver, 3)
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(3, receiver.spans().size(), app.toString());
            assertTrue(app.stderr.lines().anyMatch(l -> l.contains(" aierr call=") && l.contains("rate_limited")),
                    app.stderr);
        }
    }
}
