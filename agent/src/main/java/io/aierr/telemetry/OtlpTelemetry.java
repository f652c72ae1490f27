package io.aierr.telemetry;

import io.aierr.config.Version;
import io.aierr.config.AierrConfig;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Spans and metrics of AI calls, exported as OTLP http/protobuf by the (relocated) OpenTelemetry
 * SDK. The SDK is assembled here by hand: autoconfigure would read the app's own {@code otel.*}
 * settings for exporters aierr does not ship and cost start-up time.
 *
 * <p>Nothing on a call's path waits for the collector: spans go to a bounded queue
 * ({@code otel.bsp.max.queue.size}) that a background thread drains every
 * {@code otel.bsp.schedule.delay} or when a batch is ready; a full queue drops spans, which the exit
 * summary counts. Metrics are read on a timer.
 */
final class OtlpTelemetry implements Telemetry {
    /** The JVM exit may wait this long for the last export, even when the collector hangs. */
    static final long SHUTDOWN_BOUND_MILLIS = 2000;
    /** The SDK's default batch, made smaller when the configured queue is. */
    private static final int EXPORT_BATCH = 512;
    /** Error messages and URLs can be long; a span attribute need not be. */
    private static final int ATTRIBUTE_LENGTH_LIMIT = 2048;
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
    final Consumer<String> warn;
    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;

    private OtlpTelemetry(SdkTracerProvider tracerProvider, SdkMeterProvider meterProvider, Consumer<String> warn) {
        this.warn = warn;
        this.tracerProvider = tracerProvider;
        this.meterProvider = meterProvider;
        this.tracer = tracerProvider.get(TelemetryNames.SCOPE, Version.get());
        Meter meter = meterProvider.meterBuilder(TelemetryNames.SCOPE).setInstrumentationVersion(Version.get()).build();
        errors = meter.counterBuilder(TelemetryNames.METRIC_ERRORS).setUnit("{error}")
                .setDescription("Classified error responses and transport failures of AI call attempts").build();
        retries = meter.counterBuilder(TelemetryNames.METRIC_RETRIES).setUnit("{retry}")
                .setDescription("Attempts aierr sent again after a retryable error").build();
        backoffDuration = meter.histogramBuilder(TelemetryNames.METRIC_BACKOFF_DURATION).setUnit("ms")
                .setDescription("Waits before resending an AI call").ofLongs()
                .setExplicitBucketBoundariesAdvice(BACKOFF_MILLIS).build();
        requestDuration = meter.histogramBuilder(TelemetryNames.METRIC_HTTP_CLIENT_DURATION).setUnit("s")
                .setDescription("Duration of HTTP client requests (each attempt of an AI call)")
                .setExplicitBucketBoundariesAdvice(REQUEST_SECONDS).build();
    }

    /** Builds the SDK and its exporters; makes no network call. */
    static Telemetry create(AierrConfig config, SpanLoss loss, Consumer<String> warn) {
        OtelLogs.reportOnce(warn, config.otlpEndpoint);
        String base = config.otlpEndpoint.replaceAll("/+$", "");
        ClassLoader loader = OtlpTelemetry.class.getClassLoader();
        Resource resource = Resource.getDefault();
        if (config.serviceName != null) {
            resource = resource.merge(Resource.create(Attributes.of(TelemetryNames.SERVICE_NAME, config.serviceName)));
        }

        OtlpHttpSpanExporterBuilder spans = OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces")
                .setServiceClassLoader(loader).setMeterProvider(MeterProvider.noop()).setRetryPolicy(EXPORT_RETRY);
        config.otlpHeaders.forEach(spans::addHeader);
        BatchSpanProcessor queue = BatchSpanProcessor.builder(CountedSpanExport.exporter(spans.build(), loss))
                .setMaxQueueSize(config.spanQueueSize)
                .setMaxExportBatchSize(Math.min(EXPORT_BATCH, config.spanQueueSize))
                .setScheduleDelay(config.spanExportDelayMillis, TimeUnit.MILLISECONDS)
                .setMeterProvider(MeterProvider.noop())
                .build();
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(ATTRIBUTE_LENGTH_LIMIT).build())
                .addSpanProcessor(CountedSpanExport.processor(queue, loss))
                .build();

        OtlpHttpMetricExporterBuilder metrics = OtlpHttpMetricExporter.builder().setEndpoint(base + "/v1/metrics")
                .setServiceClassLoader(loader).setMeterProvider(MeterProvider.noop()).setRetryPolicy(EXPORT_RETRY);
        config.otlpHeaders.forEach(metrics::addHeader);
        SdkMeterProvider meterProvider = SdkMeterProvider.builder()
                .setResource(resource)
                .registerMetricReader(PeriodicMetricReader.builder(metrics.build()).build())
                .build();
        return new OtlpTelemetry(tracerProvider, meterProvider, warn);
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
        Thread traces = flushInBackground("traces", tracerProvider::shutdown);
        Thread metrics = flushInBackground("metrics", meterProvider::shutdown);
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
