package io.aierr.telemetry;

import io.opentelemetry.api.common.AttributeKey;

import java.util.List;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

/** The exported names: OpenTelemetry semantic conventions where they exist, else {@code aierr.*} (DESIGN.md). */
final class TelemetryNames {
    private TelemetryNames() {
    }

    static final String SCOPE = "io.aierr";

    static final AttributeKey<String> GEN_AI_PROVIDER_NAME = stringKey("gen_ai.provider.name");
    static final AttributeKey<String> GEN_AI_OPERATION_NAME = stringKey("gen_ai.operation.name");
    static final AttributeKey<String> GEN_AI_REQUEST_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = stringKey("gen_ai.response.model");
    static final AttributeKey<String> GEN_AI_RESPONSE_ID = stringKey("gen_ai.response.id");
    static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS = stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> GEN_AI_TOKEN_TYPE = stringKey("gen_ai.token.type");

    static final AttributeKey<String> HTTP_REQUEST_METHOD = stringKey("http.request.method");
    static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT = longKey("http.request.resend_count");
    static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = longKey("http.response.status_code");
    static final AttributeKey<String> URL_FULL = stringKey("url.full");
    static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
    static final AttributeKey<String> SERVICE_NAME = stringKey("service.name");

    static final AttributeKey<String> PROVIDER = stringKey("aierr.provider");
    static final AttributeKey<Long> ATTEMPTS = longKey("aierr.attempts");
    static final AttributeKey<Long> BACKOFF_TOTAL_MS = longKey("aierr.backoff.total_ms");
    static final AttributeKey<Long> BACKOFF_DELAY_MS = longKey("aierr.backoff.delay_ms");
    static final AttributeKey<String> BACKOFF_SOURCE = stringKey("aierr.backoff.source");
    /** On a held or paced wait: the call's own wait (its server hint or backoff) that the gate stretched. */
    static final AttributeKey<String> BACKOFF_STRETCHED = stringKey("aierr.backoff.stretched");
    static final AttributeKey<String> ERROR_CATEGORY = stringKey("aierr.error.category");
    static final AttributeKey<String> ERROR_CODE = stringKey("aierr.error.code");
    static final AttributeKey<String> AIERR_ERROR_TYPE = stringKey("aierr.error.type");
    static final AttributeKey<String> ERROR_MESSAGE = stringKey("aierr.error.message");
    static final AttributeKey<Boolean> ERROR_RETRYABLE = booleanKey("aierr.error.retryable");
    static final AttributeKey<String> ERROR_SOLUTION = stringKey("aierr.error.solution");

    static final String EVENT_ERROR = "aierr.error";
    static final String EVENT_BACKOFF = "aierr.backoff";

    static final String METRIC_ERRORS = "aierr.errors";
    static final String METRIC_RETRIES = "aierr.retries";
    static final String METRIC_BACKOFF_DURATION = "aierr.backoff.duration";
    static final String METRIC_HTTP_CLIENT_DURATION = "http.client.request.duration";
    static final String METRIC_GEN_AI_TOKEN_USAGE = "gen_ai.client.token.usage";
    static final String METRIC_GEN_AI_OPERATION_DURATION = "gen_ai.client.operation.duration";
}
