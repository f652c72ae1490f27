package io.aierr.telemetry;

import io.aierr.config.Version;
import io.aierr.config.AierrConfig;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Spans and metrics of AI calls, exported by the (relocated) OpenTelemetry SDK as OpenTelemetry's
 * own autoconfiguration sets it up from the standard {@code otel.*} / {@code OTEL_*} settings, the way
 * the OpenTelemetry Java agent reads them (resource, per-signal exporters and endpoints, headers,
 * timeout, compression, TLS, batching, metric interval, {@code otel.sdk.disabled}). aierr changes
 * only what {@link OtelSettings} says, and keeps OTLP from resending to a collector that is not there.
 *
 * <p>Nothing on a call's path waits for the collector: spans go to a bounded queue
 * ({@code otel.bsp.max.queue.size}) that a background thread drains every
 * {@code otel.bsp.schedule.delay} or when a batch is ready; a full queue drops spans, which the exit
 * summary counts. Metrics are read on a timer ({@code otel.metric.export.interval}).
 */
final class OtlpTelemetry implements Telemetry {
    /** The JVM exit may wait this long for the last export, even when the collector hangs. */
    static final long SHUTDOWN_BOUND_MILLIS = 2000;
    /** Error messages and URLs can be long; a span attribute need not be (the default of otel.attribute.value.length.limit). */
    static final int ATTRIBUTE_LENGTH_LIMIT = 2048;
    /** Semconv's boundaries for HTTP durations, extended because AI calls often run past 10 s. */
    private static final List<Double> REQUEST_SECONDS = Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
            0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0, 60.0, 120.0);
    /**
     * Resend an export only when the collector answers "busy" (429, 502, 503, 504). Without a
     * collector (refused, timed out) a resend only waits longer: the default policy would hold
     * every exit for the whole flush bound when nothing listens on the default endpoint.
     */
    private static final RetryPolicy EXPORT_RETRY = RetryPolicy.getDefault().toBuilder()
            .setRetryExceptionPredicate(transportFailure -> false).build();
    private static final List<Long> BACKOFF_MILLIS = Arrays.asList(10L, 50L, 100L, 250L, 500L, 1000L, 2000L,
            5000L, 10000L, 30000L, 60000L);

    final Tracer tracer;
    final LongCounter errors;
    final LongCounter retries;
    final LongHistogram backoffDuration;
    final DoubleHistogram requestDuration;
    final LongHistogram tokenUsage;
    final DoubleHistogram operationDuration;
    final Consumer<String> warn;
    private final Supplier<CompletableResultCode> tracesShutdown;
    private final Supplier<CompletableResultCode> metricsShutdown;

    private OtlpTelemetry(TracerProvider tracerProvider, Instruments instruments,
            Supplier<CompletableResultCode> tracesShutdown, Supplier<CompletableResultCode> metricsShutdown,
            Consumer<String> warn) {
        this.warn = warn;
        this.tracesShutdown = tracesShutdown;
        this.metricsShutdown = metricsShutdown;
        this.tracer = tracerProvider.tracerBuilder(TelemetryNames.SCOPE).setInstrumentationVersion(Version.get()).build();
        errors = instruments.errors;
        retries = instruments.retries;
        backoffDuration = instruments.backoffDuration;
        requestDuration = instruments.requestDuration;
        tokenUsage = instruments.tokenUsage;
        operationDuration = instruments.operationDuration;
    }

    /** aierr's metrics, on its own SDK's meter or on the OpenTelemetry agent's. */
    private static final class Instruments {
        private static final String ERRORS = "Classified error responses and transport failures of AI call attempts";
        private static final String RETRIES = "Attempts aierr sent again after a retryable error";
        private static final String BACKOFF = "Waits before resending an AI call";
        private static final String DURATION = "Duration of HTTP client requests (each attempt of an AI call)";
        private static final String TOKENS = "Tokens used by AI calls, as their answers report them";
        private static final String OPERATION = "Duration of AI calls as the app made them, retries and waits included";
        /** The GenAI conventions' advice: powers of four, and of two from 10 ms. */
        private static final List<Long> TOKEN_COUNTS = Arrays.asList(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L,
                65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L);
        private static final List<Double> OPERATION_SECONDS = Arrays.asList(0.01, 0.02, 0.04, 0.08, 0.16, 0.32,
                0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
        final LongCounter errors;
        final LongCounter retries;
        final LongHistogram backoffDuration;
        final DoubleHistogram requestDuration;
        final LongHistogram tokenUsage;
        final DoubleHistogram operationDuration;

        private Instruments(LongCounter errors, LongCounter retries, LongHistogram backoffDuration,
                DoubleHistogram requestDuration, LongHistogram tokenUsage, DoubleHistogram operationDuration) {
            this.errors = errors;
            this.retries = retries;
            this.backoffDuration = backoffDuration;
            this.requestDuration = requestDuration;
            this.tokenUsage = tokenUsage;
            this.operationDuration = operationDuration;
        }

        static Instruments on(MeterProvider meterProvider) {
            Meter meter = meterProvider.meterBuilder(TelemetryNames.SCOPE).setInstrumentationVersion(Version.get()).build();
            return new Instruments(
                    meter.counterBuilder(TelemetryNames.METRIC_ERRORS).setUnit("{error}").setDescription(ERRORS).build(),
                    meter.counterBuilder(TelemetryNames.METRIC_RETRIES).setUnit("{retry}").setDescription(RETRIES).build(),
                    meter.histogramBuilder(TelemetryNames.METRIC_BACKOFF_DURATION).setUnit("ms").setDescription(BACKOFF)
                            .ofLongs().setExplicitBucketBoundariesAdvice(BACKOFF_MILLIS).build(),
                    meter.histogramBuilder(TelemetryNames.METRIC_HTTP_CLIENT_DURATION).setUnit("s")
                            .setDescription(DURATION).setExplicitBucketBoundariesAdvice(REQUEST_SECONDS).build(),
                    meter.histogramBuilder(TelemetryNames.METRIC_GEN_AI_TOKEN_USAGE).setUnit("{token}")
                            .setDescription(TOKENS).ofLongs().setExplicitBucketBoundariesAdvice(TOKEN_COUNTS).build(),
                    meter.histogramBuilder(TelemetryNames.METRIC_GEN_AI_OPERATION_DURATION).setUnit("s")
                            .setDescription(OPERATION).setExplicitBucketBoundariesAdvice(OPERATION_SECONDS).build());
        }

        /** The agent's meters take the SDK's default buckets. */
        static Instruments inAgent() {
            return new Instruments(AgentSdk.counter(TelemetryNames.METRIC_ERRORS, "{error}", ERRORS),
                    AgentSdk.counter(TelemetryNames.METRIC_RETRIES, "{retry}", RETRIES),
                    AgentSdk.longHistogram(TelemetryNames.METRIC_BACKOFF_DURATION, "ms", BACKOFF),
                    AgentSdk.doubleHistogram(TelemetryNames.METRIC_HTTP_CLIENT_DURATION, "s", DURATION),
                    AgentSdk.longHistogram(TelemetryNames.METRIC_GEN_AI_TOKEN_USAGE, "{token}", TOKENS),
                    AgentSdk.doubleHistogram(TelemetryNames.METRIC_GEN_AI_OPERATION_DURATION, "s", OPERATION));
        }
    }

    /**
     * As the OpenTelemetry agent's extension: spans are made here (ids, parents, timing; sampled
     * after their parent, the agent's span when there is one) and ended into the agent's span
     * processors, metrics recorded on its meters; aierr's own exporters and settings stay unused.
     */
    static Telemetry inAgent(Consumer<String> warn) {
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(ATTRIBUTE_LENGTH_LIMIT).build())
                .addSpanProcessor(AgentSdk.spans())
                .build();
        return new OtlpTelemetry(tracerProvider, Instruments.inAgent(), tracerProvider::shutdown,
                CompletableResultCode::ofSuccess, warn);
    }

    /**
     * Builds the SDK and its exporters from the standard settings; makes no network call.
     *
     * @throws OtelSettings.Rejected when the SDK's configuration refuses a setting: export stays off
     */
    static Telemetry create(AierrConfig config, SpanLoss loss, Consumer<String> warn) {
        OtelSettings settings = new OtelSettings(warn);
        // before the SDK exists: its configuration logs too, and export failures name their signal's endpoint
        OtelLogs.reportPerSignal(warn, settings.endpoints());
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .setServiceClassLoader(OtlpTelemetry.class.getClassLoader())
                    .disableShutdownHook()
                    .addPropertiesSupplier(OtelSettings::defaults)
                    .addPropertiesCustomizer(properties -> config.otelArguments)
                    .addPropertiesCustomizer(properties -> settings.overrides(properties::getString))
                    .addSpanExporterCustomizer((exporter, properties) ->
                            CountedSpanExport.exporter(withoutTransportResends(exporter, properties), loss))
                    .addSpanProcessorCustomizer((processor, properties) -> CountedSpanExport.processor(processor, loss))
                    .addMetricExporterCustomizer(OtlpTelemetry::withoutTransportResends)
                    .build()
                    .getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            // ConfigurationException, or a builder's IllegalArgumentException for a value out of range
            throw new OtelSettings.Rejected(e);
        }
        return new OtlpTelemetry(sdk.getTracerProvider(), Instruments.on(sdk.getMeterProvider()),
                sdk.getSdkTracerProvider()::shutdown, sdk.getSdkMeterProvider()::shutdown, warn);
    }

    private static SpanExporter withoutTransportResends(SpanExporter exporter, ConfigProperties properties) {
        if (!(exporter instanceof OtlpHttpSpanExporter) || retriesDisabled(properties)) {
            return exporter;
        }
        SpanExporter rebuilt = ((OtlpHttpSpanExporter) exporter).toBuilder().setRetryPolicy(EXPORT_RETRY).build();
        exporter.shutdown();
        return rebuilt;
    }

    private static MetricExporter withoutTransportResends(MetricExporter exporter, ConfigProperties properties) {
        if (!(exporter instanceof OtlpHttpMetricExporter) || retriesDisabled(properties)) {
            return exporter;
        }
        MetricExporter rebuilt = ((OtlpHttpMetricExporter) exporter).toBuilder().setRetryPolicy(EXPORT_RETRY).build();
        exporter.shutdown();
        return rebuilt;
    }

    private static boolean retriesDisabled(ConfigProperties properties) {
        return properties.getBoolean("otel.java.exporter.otlp.retry.disabled", false);
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        return new OtlpCallObserver(this, info);
    }

    /** The OpenTelemetry agent, when one runs, instruments the JDK client that aierr's exporter uses too. */
    @Override
    public TraceScope ownExport() {
        AppOtel agent = AppOtel.agent(warn);
        return agent == null ? null : agent.suppressInstrumentation();
    }

    /**
     * Flushes spans and metrics, waiting at most {@link #SHUTDOWN_BOUND_MILLIS} in all. The SDK's
     * own shutdown blocks for up to seconds per step with a hanging collector, so it runs on
     * daemon threads that the JVM abandons at exit.
     */
    @Override
    public void shutdown() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_BOUND_MILLIS);
        Thread traces = flushInBackground("traces", tracesShutdown);
        Thread metrics = flushInBackground("metrics", metricsShutdown);
        try {
            for (Thread flush : Arrays.asList(traces, metrics)) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMillis > 0) {
                    flush.join(leftMillis);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread flushInBackground(String signal, Supplier<CompletableResultCode> shutdown) {
        Thread thread = new Thread(() -> shutdown.get().join(SHUTDOWN_BOUND_MILLIS, TimeUnit.MILLISECONDS),
                "aierr-flush-" + signal);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
