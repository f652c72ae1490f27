package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.Providers;
import io.aierr.core.TraceScope;
import io.aierr.core.usage.ResponseUsage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.Collections;
import java.util.List;

import static io.aierr.telemetry.TelemetryNames.AIERR_ERROR_TYPE;
import static io.aierr.telemetry.TelemetryNames.ATTEMPTS;
import static io.aierr.telemetry.TelemetryNames.BACKOFF_DELAY_MS;
import static io.aierr.telemetry.TelemetryNames.BACKOFF_SOURCE;
import static io.aierr.telemetry.TelemetryNames.BACKOFF_STRETCHED;
import static io.aierr.telemetry.TelemetryNames.BACKOFF_TOTAL_MS;
import static io.aierr.telemetry.TelemetryNames.ERROR_CATEGORY;
import static io.aierr.telemetry.TelemetryNames.ERROR_CODE;
import static io.aierr.telemetry.TelemetryNames.ERROR_MESSAGE;
import static io.aierr.telemetry.TelemetryNames.ERROR_RETRYABLE;
import static io.aierr.telemetry.TelemetryNames.ERROR_SOLUTION;
import static io.aierr.telemetry.TelemetryNames.ERROR_TYPE;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_OPERATION_NAME;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_PROVIDER_NAME;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_REQUEST_MODEL;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_RESPONSE_FINISH_REASONS;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_RESPONSE_ID;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_RESPONSE_MODEL;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_TOKEN_TYPE;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_USAGE_INPUT_TOKENS;
import static io.aierr.telemetry.TelemetryNames.GEN_AI_USAGE_OUTPUT_TOKENS;
import static io.aierr.telemetry.TelemetryNames.HTTP_REQUEST_METHOD;
import static io.aierr.telemetry.TelemetryNames.HTTP_REQUEST_RESEND_COUNT;
import static io.aierr.telemetry.TelemetryNames.HTTP_RESPONSE_STATUS_CODE;
import static io.aierr.telemetry.TelemetryNames.PROVIDER;
import static io.aierr.telemetry.TelemetryNames.SERVER_ADDRESS;
import static io.aierr.telemetry.TelemetryNames.SERVER_PORT;
import static io.aierr.telemetry.TelemetryNames.URL_FULL;

/**
 * One logical AI call as spans: a CLIENT span for the call as the app made it (the GenAI client
 * span), a child span per attempt (HTTP client semconv), {@code aierr.backoff} events for the
 * waits, and the metrics of each attempt and wait.
 *
 * <p>The call span joins the app's trace: its parent is the traceparent the app's request carries,
 * else the app's current OpenTelemetry span. Each attempt's request carries the attempt span as
 * parent, and while it is sent the attempt span is the app's current span, so that the
 * OpenTelemetry agent's own HTTP span for it nests under aierr's.
 */
final class OtlpCallObserver implements CallObserver {
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<String>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return Collections.singleton("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final OtlpTelemetry otel;
    private final CallInfo info;
    /** url.full, server.address, server.port: shared by the call and its attempts. */
    private final Attributes target;
    /** The app's OpenTelemetry and its context when the call began; null when the app has none. */
    private final AppOtel app;
    private final AppOtel.AppContext appContext;
    /** False when the app's request carries a traceparent aierr cannot read: it is left as it is. */
    private final boolean propagates;
    private final Span call;
    private final Context callContext;
    private Span attempt;
    private long attemptStartNanos;
    private ClassifiedError lastError;
    private long backoffTotalMillis;
    private final long startNanos = System.nanoTime();
    /** The model the server answered with, once a success's body said. */
    private String responseModel;

    OtlpCallObserver(OtlpTelemetry otel, CallInfo info) {
        this.otel = otel;
        this.info = info;
        this.target = Attributes.builder()
                .put(URL_FULL, Redaction.url(info.url))
                .put(SERVER_ADDRESS, info.host)
                .put(SERVER_PORT, (long) info.port)
                .build();
        AttributesBuilder attributes = target.toBuilder()
                .put(GEN_AI_PROVIDER_NAME, Providers.genAiName(info.provider))
                .put(PROVIDER, info.provider);
        putIfPresent(attributes, GEN_AI_OPERATION_NAME, info.operation);
        putIfPresent(attributes, GEN_AI_REQUEST_MODEL, info.model);
        this.app = AppOtel.forCurrentThread(otel.warn);
        this.appContext = app == null ? null : app.current();
        Context fromHeader = info.appTraceparent == null ? null
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), info.appTraceparent, TRACEPARENT);
        boolean headerRead = fromHeader != null && Span.fromContext(fromHeader).getSpanContext().isValid();
        this.propagates = info.appTraceparent == null || headerRead;
        this.call = otel.tracer.spanBuilder(spanName(info))
                .setParent(headerRead ? fromHeader : appParent(appContext))
                .setSpanKind(SpanKind.CLIENT)
                .setAllAttributes(attributes.build())
                .startSpan();
        this.callContext = Context.root().with(call);
    }

    /** The app's current span as the parent; a root when the app has none. */
    private static Context appParent(AppOtel.AppContext app) {
        if (app == null || !app.valid) {
            return Context.root();
        }
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(app.traceId, app.spanId,
                TraceFlags.fromByte(app.flags), TraceState.getDefault())));
    }

    /** GenAI semconv: {@code {operation} {model}}; without them, what is known: {@code POST openai}. */
    static String spanName(CallInfo info) {
        if (info.operation != null) {
            return info.model != null ? info.operation + " " + info.model : info.operation;
        }
        return info.method + " " + info.provider;
    }

    @Override
    public void attemptStarted(int attempt) {
        AttributesBuilder attributes = target.toBuilder().put(HTTP_REQUEST_METHOD, info.method);
        if (attempt > 1) {
            attributes.put(HTTP_REQUEST_RESEND_COUNT, (long) (attempt - 1));
        }
        this.attempt = otel.tracer.spanBuilder(info.method)
                .setParent(callContext)
                .setSpanKind(SpanKind.CLIENT)
                .setAllAttributes(attributes.build())
                .startSpan();
        attemptStartNanos = System.nanoTime();
    }

    @Override
    public String traceparent() {
        Span span = attempt;
        if (span == null || !propagates) {
            return null;
        }
        SpanContext c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    @Override
    public TraceScope attemptInAppContext() {
        Span span = attempt;
        if (span == null || appContext == null) {
            return TraceScope.NONE;
        }
        SpanContext c = span.getSpanContext();
        return app.makeCurrent(appContext, c.getTraceId(), c.getSpanId(), c.getTraceFlags().asByte());
    }

    @Override
    public void attemptResponded(int attempt, int status, ClassifiedError error) {
        endAttempt(status, status >= 400 ? Integer.toString(status) : null, error);
    }

    @Override
    public void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
        endAttempt(0, failure.getClass().getName(), error);
    }

    @Override
    public void backoff(int nextAttempt, long delayMillis, BackoffSource backoffSource, String stretched) {
        backoffTotalMillis += delayMillis;
        String source = backoffSource.id();
        call.addEvent(TelemetryNames.EVENT_BACKOFF, stretched == null
                ? Attributes.of(BACKOFF_DELAY_MS, delayMillis, BACKOFF_SOURCE, source)
                : Attributes.of(BACKOFF_DELAY_MS, delayMillis, BACKOFF_SOURCE, source, BACKOFF_STRETCHED, stretched));
        if (nextAttempt > 1) {
            Attributes byProvider = Attributes.of(PROVIDER, info.provider);
            otel.retries.add(1, lastError == null ? byProvider
                    : byProvider.toBuilder().put(ERROR_CATEGORY, lastError.category.id()).build());
        }
        otel.backoffDuration.record(delayMillis, Attributes.of(PROVIDER, info.provider, BACKOFF_SOURCE, source));
    }

    /** On the call span, as the attempt span carries an error response's: the stream's error reached the app. */
    @Override
    public void inBandError(ClassifiedError error) {
        call.addEvent(TelemetryNames.EVENT_ERROR, classified(error));
        otel.errors.add(1, Attributes.of(PROVIDER, error.provider, ERROR_CATEGORY, error.category.id(),
                HTTP_RESPONSE_STATUS_CODE, 200L));
    }

    /** GenAI semconv: the usage, model, id and finish reasons on the call span, and the token histogram. */
    @Override
    public void responseRead(ResponseUsage usage) {
        responseModel = usage.model;
        if (usage.model != null) {
            call.setAttribute(GEN_AI_RESPONSE_MODEL, usage.model);
        }
        if (usage.id != null) {
            call.setAttribute(GEN_AI_RESPONSE_ID, usage.id);
        }
        List<String> reasons = usage.knownFinishReasons();
        if (!reasons.isEmpty()) {
            call.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, reasons);
        }
        recordTokens(usage.inputTokens, "input", GEN_AI_USAGE_INPUT_TOKENS);
        recordTokens(usage.outputTokens, "output", GEN_AI_USAGE_OUTPUT_TOKENS);
    }

    private void recordTokens(Long tokens, String type, AttributeKey<Long> attribute) {
        if (tokens != null) {
            call.setAttribute(attribute, tokens);
            otel.tokenUsage.record(tokens, genAiMetric().put(GEN_AI_TOKEN_TYPE, type).build());
        }
    }

    /** What the GenAI metrics of this call are keyed by. */
    private AttributesBuilder genAiMetric() {
        AttributesBuilder metric = Attributes.builder()
                .put(GEN_AI_PROVIDER_NAME, Providers.genAiName(info.provider))
                .put(SERVER_ADDRESS, info.host)
                .put(SERVER_PORT, (long) info.port);
        putIfPresent(metric, GEN_AI_OPERATION_NAME, info.operation);
        putIfPresent(metric, GEN_AI_REQUEST_MODEL, info.model);
        putIfPresent(metric, GEN_AI_RESPONSE_MODEL, responseModel);
        return metric;
    }

    @Override
    public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure, String giveUpReason) {
        if (attempt != null) {
            // ended while an attempt was in flight (async cancellation)
            endAttempt(0, failure == null ? null : failure.getClass().getName(), null);
        }
        call.setAttribute(ATTEMPTS, (long) attempts);
        call.setAttribute(BACKOFF_TOTAL_MS, backoffTotalMillis);
        if (status > 0) {
            call.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
        }
        String errorType = Outcome.errorType(status, error, failure);
        AttributesBuilder operation = genAiMetric();
        if (errorType != null) {
            operation.put(ERROR_TYPE, errorType);
        }
        otel.operationDuration.record((System.nanoTime() - startNanos) / 1e9, operation.build());
        if (errorType != null) {
            call.setAttribute(ERROR_TYPE, errorType);
            if (giveUpReason == null) {
                call.setStatus(StatusCode.ERROR);
            } else {
                call.setStatus(StatusCode.ERROR, giveUpReason);
            }
        }
        call.end();
    }

    private void endAttempt(int status, String errorType, ClassifiedError error) {
        Span span = attempt;
        if (span == null) {
            return;
        }
        attempt = null;
        AttributesBuilder metric = Attributes.builder()
                .put(HTTP_REQUEST_METHOD, info.method)
                .put(SERVER_ADDRESS, info.host)
                .put(SERVER_PORT, (long) info.port);
        if (status > 0) {
            span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
            metric.put(HTTP_RESPONSE_STATUS_CODE, (long) status);
        }
        if (errorType != null) {
            span.setAttribute(ERROR_TYPE, errorType);
            span.setStatus(StatusCode.ERROR);
            metric.put(ERROR_TYPE, errorType);
        }
        if (error != null) {
            lastError = error;
            Attributes classified = classified(error);
            span.setAllAttributes(classified);
            span.addEvent(TelemetryNames.EVENT_ERROR, classified);
            AttributesBuilder counted = Attributes.builder()
                    .put(PROVIDER, error.provider)
                    .put(ERROR_CATEGORY, error.category.id());
            if (status > 0) {
                counted.put(HTTP_RESPONSE_STATUS_CODE, (long) status);
            }
            otel.errors.add(1, counted.build());
        }
        otel.requestDuration.record((System.nanoTime() - attemptStartNanos) / 1e9, metric.build());
        span.end();
    }

    private static Attributes classified(ClassifiedError error) {
        AttributesBuilder b = Attributes.builder()
                .put(PROVIDER, error.provider)
                .put(ERROR_CATEGORY, error.category.id())
                .put(ERROR_RETRYABLE, error.retryable);
        putIfPresent(b, ERROR_CODE, error.code);
        putIfPresent(b, AIERR_ERROR_TYPE, error.type);
        putIfPresent(b, ERROR_MESSAGE, Redaction.text(error.message));
        putIfPresent(b, ERROR_SOLUTION, error.solution);
        return b.build();
    }

    private static void putIfPresent(AttributesBuilder b, AttributeKey<String> key, String value) {
        if (value != null) {
            b.put(key, value);
        }
    }
}
