package io.aierr.core.classify;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Turns an error response into a {@link ClassifiedError}: what went wrong, whether waiting can
 * fix it, and what to do. Reads the reason from the body's structure first (codes, types,
 * Gemini quota ids), then from well-known phrases, and falls back on the status only when the
 * body says nothing, so a 400 about an invalid key is {@code authentication} and a 503 from an
 * Envoy reset is {@code unavailable}. Pure and thread-safe.
 */
public final class ErrorClassifier {
    /** Where each provider family keeps the error fields (paths as {@link JsonFields} names them). */
    private static final String[] MESSAGE_PATHS = {"error.message", "message", "Message", "detail", "detail.msg",
        "error", "errorMessage", "error_msg", "msg", "errors.message"};
    private static final String[] CODE_PATHS = {"error.code", "code", "__type", "errorCode", "error_code",
        "error.innererror.code", "errors.code"};
    /** Anthropic's top-level {@code "type":"error"} and vLLM's {@code "object":"error"} name no type. */
    private static final String[] TYPE_PATHS = {"error.type", "error.status", "type", "status"};

    /** Provider codes and types that name the category by themselves (matched ignoring case). */
    private static final Map<String, Category> CODES = new HashMap<>();

    static {
        codes(Category.QUOTA_EXCEEDED, "insufficient_quota", "billing_hard_limit_reached", "billing_not_active",
                "Arrearage", "ServiceQuotaExceededException", "AllocationQuota.FreeTierOnly",
                "Throttling.FreeTierOnly", "insufficient_user_quota", "quota_exceeded", "PaymentRequired",
                "enforced_spend_limit_reached");
        codes(Category.RATE_LIMITED, "rate_limit_exceeded", "rate_limit_error", "RateLimitError", "requests",
                "tokens", "RESOURCE_EXHAUSTED", "ThrottlingException", "Throttling", "Throttling.RateQuota",
                "Throttling.AllocationQuota", "Throttling.User", "TooManyRequests", "TooManyRequestsException",
                "too_many_requests", "RateLimitExceeded", "rate_limited");
        codes(Category.OVERLOADED, "overloaded_error", "overloaded", "engine_overloaded", "server_overloaded",
                "ServerOverloaded");
        codes(Category.UNAVAILABLE, "UNAVAILABLE", "ServiceUnavailableException", "ServiceUnavailable",
                "service_unavailable", "ModelNotReadyException", "ServiceUnavailableError");
        codes(Category.AUTHENTICATION, "invalid_api_key", "authentication_error", "AuthenticationError",
                "InvalidApiKey", "UNAUTHENTICATED", "UnrecognizedClientException", "invalid_authentication",
                "API_KEY_INVALID", "InvalidSignatureException", "MissingAuthenticationTokenException",
                "ExpiredTokenException", "IncompleteSignature", "invalid_token", "expired_token", "Unauthorized",
                "InvalidAccessKeyId", "NoPermissionApiKey");
        codes(Category.PERMISSION_DENIED, "permission_error", "PERMISSION_DENIED", "AccessDeniedException",
                "AccessDenied", "unsupported_country_region_territory", "PermissionDeniedError", "Forbidden",
                "model_not_available_in_region", "AccessDenied.Unpurchased");
        codes(Category.NOT_FOUND, "model_not_found", "DeploymentNotFound", "not_found_error", "NOT_FOUND",
                "NotFoundError", "ResourceNotFoundException", "ModelNotFound", "NotFound", "ModelNotExist",
                "deployment_not_found", "unknown_url");
        codes(Category.CONTEXT_LENGTH_EXCEEDED, "context_length_exceeded", "string_above_max_length",
                "context_window_exceeded", "max_tokens_exceeded");
        codes(Category.CONTENT_FILTERED, "content_filter", "content_policy_violation", "ResponsibleAIPolicyViolation",
                "DataInspectionFailed", "data_inspection_failed", "moderation_blocked", "content_filtered",
                "SAFETY", "jailbreak");
        codes(Category.PAYLOAD_TOO_LARGE, "request_too_large", "RequestEntityTooLarge", "payload_too_large");
        codes(Category.TIMEOUT, "ModelTimeoutException", "DEADLINE_EXCEEDED", "timeout", "RequestTimeout",
                "request_timeout");
        codes(Category.CONFLICT, "ConflictException", "conflict", "ABORTED");
        codes(Category.SERVER_ERROR, "api_error", "INTERNAL", "InternalServerException", "server_error",
                "InternalServerError", "internal_error", "InternalError", "ModelErrorException");
        codes(Category.UNSUPPORTED, "UNIMPLEMENTED", "method_not_allowed", "UnsupportedOperation");
    }

    /** Phrases that decide a category whatever the status (lower-case, any language's code words). */
    private static final Pattern QUOTA_PHRASE = Pattern.compile("credit balance is too low|insufficient (account )?"
            + "balance|exceeded your current quota|billing details|free tier (of the model )?(has been )?exhausted"
            + "|account is in arrears|overdue|quota for (the|this) day|per day|daily (limit|quota)|api usage limits?"
            + "|free allocated quota|free quota|request too large for .* must be reduced");
    private static final Pattern CONTEXT_PHRASE = Pattern.compile("maximum context length|context length|context "
            + "window|prompt is too long|input is too long|too many (input )?tokens|exceeds? the maximum (number of )?"
            + "(input )?tokens|input token count.*exceeds|reduce the length of the messages|maximum input length"
            + "|range of input length");
    private static final Pattern CONTENT_PHRASE = Pattern.compile("content management policy|content (filter|policy)"
            + "|responsible ?ai|inappropriate content|data inspection|safety (system|filters?)|violating our usage polic");
    private static final Pattern AUTH_PHRASE = Pattern.compile("api[ _-]?key (is )?(not valid|invalid|incorrect"
            + "|missing|expired)|(invalid|incorrect|missing|expired) (api[ _-]?key|subscription key|token|x-api-key"
            + "|access token|authentication)|invalid subscription key|authentication (failed|fails|is required)"
            + "|unauthorized|no api key|security token included in the request is invalid");
    private static final Pattern REGION_PHRASE = Pattern.compile("location is not supported|country, region,? or"
            + " territory not supported|not available in your (country|region)|unsupported (country|region)");
    private static final Pattern NOT_FOUND_PHRASE = Pattern.compile("model (does )?not exist|model .{1,80} does not "
            + "exist|no such model|unknown model|model not found");
    private static final Pattern OVERLOADED_PHRASE = Pattern.compile("overload|over capacity|at capacity"
            + "|high (traffic|demand)");
    /** What Envoy and other proxies say when no backend instance could answer. */
    private static final Pattern UPSTREAM_PHRASE = Pattern.compile("no healthy upstream|upstream connect error"
            + "|reset before headers|upstream request timeout|no available (instance|server|backend)"
            + "|service unavailable|temporarily unavailable");
    private static final Pattern QUEUE_PHRASE = Pattern.compile("queue is full|queue full");
    private static final Pattern HTML_TITLE = Pattern.compile("<title[^>]*>([^<]{1,300})</title>", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_H1 = Pattern.compile("<h1[^>]*>([^<]{1,300})</h1>", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_TAG = Pattern.compile("<[^>]*>");
    private static final int MAX_MESSAGE_CHARS = 500;
    private static final int MAX_GUNZIPPED = 256 * 1024;

    private ErrorClassifier() {
    }

    private static void codes(Category category, String... names) {
        for (String name : names) {
            CODES.put(name.toLowerCase(Locale.ROOT), category);
        }
    }

    public static ClassifiedError classify(String provider, ErrorResponse response) {
        String p = provider == null ? "unknown" : provider;
        byte[] body = decoded(response);
        JsonFields json = looksLikeJson(body) ? JsonFields.parse(body) : null;
        String text = new String(body, StandardCharsets.UTF_8);
        String message;
        String code = null;
        String type = null;
        if (json != null && json.isJson) {
            message = json.first(MESSAGE_PATHS);
            code = json.first(CODE_PATHS);
            type = typeOf(json);
        } else {
            message = plainMessage(text, body);
        }
        String amznType = response.headers.first("x-amzn-errortype");
        if (amznType != null && code == null) {
            // Bedrock names the exception in a header: "ThrottlingException:http://internal.amazon.com/..."
            int colon = amznType.indexOf(':');
            code = colon > 0 ? amznType.substring(0, colon) : amznType;
        }
        String haystack = (String.valueOf(message) + ' ' + (json == null ? "" : text)).toLowerCase(Locale.ROOT);
        Category category = categorize(response.status, json, code, type, haystack);
        RetryHint hint = RetryHints.find(response, json, message);
        return new ClassifiedError(p, category, response.status, code, type, shorten(message),
                category.retryable(), hint, Solutions.forError(p, category));
    }

    /** A failure with no response: the connection was refused, reset or timed out. */
    public static ClassifiedError classifyFailure(String provider, Throwable failure) {
        String name = failure.getClass().getName();
        String simple = failure.getClass().getSimpleName();
        Category category = name.contains("Timeout") || name.contains("Timed") ? Category.TIMEOUT
                : Category.CONNECTION_ERROR;
        return new ClassifiedError(provider == null ? "unknown" : provider, category, 0, null, simple,
                shorten(failure.getMessage()), false, null, Solutions.forError(provider, category));
    }

    private static Category categorize(int status, JsonFields json, String code, String type, String text) {
        Category quota = quotaVerdict(status, json, code, type, text);
        if (quota != null) {
            return quota;
        }
        Category byCode = byCode(code, type, json);
        if (byCode == Category.CONTEXT_LENGTH_EXCEEDED || byCode == Category.CONTENT_FILTERED
                || byCode == Category.AUTHENTICATION) {
            return byCode;
        }
        if (CONTEXT_PHRASE.matcher(text).find() && status != 429 && status < 500) {
            return Category.CONTEXT_LENGTH_EXCEEDED;
        }
        if (byCode == null && status < 500 && status != 429 && CONTENT_PHRASE.matcher(text).find()) {
            return Category.CONTENT_FILTERED;
        }
        if (status == 401 || (status < 500 && status != 429 && AUTH_PHRASE.matcher(text).find())) {
            return Category.AUTHENTICATION;
        }
        if (status < 500 && status != 429 && REGION_PHRASE.matcher(text).find()) {
            return Category.PERMISSION_DENIED;
        }
        if (status < 500 && status != 429 && byCode == null && NOT_FOUND_PHRASE.matcher(text).find()) {
            return Category.NOT_FOUND;
        }
        if (status == 450 || QUEUE_PHRASE.matcher(text).find() && status >= 429) {
            return Category.QUEUE_FULL;
        }
        if ((status == 429 || status >= 500) && OVERLOADED_PHRASE.matcher(text).find()
                || status == 529) {
            return Category.OVERLOADED;
        }
        if (status == 503 && UPSTREAM_PHRASE.matcher(text).find()) {
            return Category.UNAVAILABLE;
        }
        if (byCode != null) {
            return byCode;
        }
        return byStatus(status);
    }

    /**
     * A spent quota is never retried, so this verdict must be sure: it comes first from structure
     * (codes, 402, Gemini quota ids), and Gemini's per-minute quotas, whose message also says
     * "exceeded your current quota", stay rate limits.
     */
    private static Category quotaVerdict(int status, JsonFields json, String code, String type, String text) {
        if (status == 402 || isCode(code, Category.QUOTA_EXCEEDED) || isCode(type, Category.QUOTA_EXCEEDED)
                || json != null && isCode(json.first("error.details.error_code"), Category.QUOTA_EXCEEDED)) {
            return Category.QUOTA_EXCEEDED;
        }
        if (json != null) {
            List<String> quotaIds = json.all("error.details.violations.quotaId");
            if (!quotaIds.isEmpty()) {
                for (String id : quotaIds) {
                    if (id.contains("PerDay") || id.contains("PerMonth")) {
                        return Category.QUOTA_EXCEEDED;
                    }
                }
                return Category.RATE_LIMITED;
            }
            if (json.first("error.details.retryDelay") != null) {
                return Category.RATE_LIMITED;
            }
        }
        if ((status == 429 || status == 400 || status == 403) && QUOTA_PHRASE.matcher(text).find()) {
            return Category.QUOTA_EXCEEDED;
        }
        return null;
    }

    private static Category byCode(String code, String type, JsonFields json) {
        Category c = lookup(code);
        if (c == null && json != null) {
            // Gemini says API_KEY_INVALID in details.reason under a generic INVALID_ARGUMENT
            c = lookup(json.first("error.details.reason"));
        }
        if (c == null) {
            c = lookup(type);
        }
        return c;
    }

    private static Category lookup(String value) {
        return value == null ? null : CODES.get(value.toLowerCase(Locale.ROOT));
    }

    private static boolean isCode(String value, Category category) {
        return value != null && CODES.get(value.toLowerCase(Locale.ROOT)) == category;
    }

    static Category byStatus(int status) {
        switch (status) {
            case 401: return Category.AUTHENTICATION;
            case 402: return Category.QUOTA_EXCEEDED;
            case 403: return Category.PERMISSION_DENIED;
            case 404: return Category.NOT_FOUND;
            case 405:
            case 501:
            case 505: return Category.UNSUPPORTED;
            case 408:
            case 504:
            case 522: // Cloudflare: the origin did not accept the connection in time
            case 524: return Category.TIMEOUT; // Cloudflare: the origin did not answer in time
            case 409: return Category.CONFLICT;
            case 413: return Category.PAYLOAD_TOO_LARGE;
            case 429: return Category.RATE_LIMITED;
            case 450: return Category.QUEUE_FULL;
            case 499:
            case 512: return Category.CLIENT_CLOSED;
            case 500: return Category.SERVER_ERROR;
            case 502: return Category.BAD_GATEWAY;
            case 503: return Category.UNAVAILABLE;
            case 529: return Category.OVERLOADED;
            default:
                if (status >= 400 && status < 500) {
                    return Category.INVALID_REQUEST;
                }
                return status >= 500 && status < 600 ? Category.SERVER_ERROR : Category.UNKNOWN;
        }
    }

    private static String typeOf(JsonFields json) {
        for (String path : TYPE_PATHS) {
            String v = json.first(path);
            if (v != null && !v.equals("error") && !v.matches("\\d+")) {
                return v;
            }
        }
        return null;
    }

    /** The body as sent, gunzipped when a proxy compressed it and the client did not. */
    private static byte[] decoded(ErrorResponse response) {
        byte[] body = response.body;
        if (body.length < 2 || (body[0] & 0xff) != 0x1f || (body[1] & 0xff) != 0x8b) {
            return body;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readNBytes(MAX_GUNZIPPED);
        } catch (IOException truncated) {
            return body;
        }
    }

    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == '{' || b == '[') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t' && (b & 0xff) != 0xef && (b & 0xff) != 0xbb
                    && (b & 0xff) != 0xbf) {
                return false;
            }
        }
        return false;
    }

    /** A readable one-line message from a non-JSON body: an HTML page's title, else the first line. */
    private static String plainMessage(String text, byte[] body) {
        if (body.length == 0) {
            return null;
        }
        if (isBinary(body)) {
            return "(binary body, " + body.length + " bytes)";
        }
        Matcher title = HTML_TITLE.matcher(text);
        if (title.find()) {
            return title.group(1).trim();
        }
        Matcher h1 = HTML_H1.matcher(text);
        if (h1.find()) {
            return h1.group(1).trim();
        }
        String plain = HTML_TAG.matcher(text).replaceAll(" ").trim();
        for (String line : plain.split("\\R")) {
            if (!line.isBlank()) {
                return line.trim();
            }
        }
        return null;
    }

    private static boolean isBinary(byte[] body) {
        int n = Math.min(body.length, 512);
        int control = 0;
        for (int i = 0; i < n; i++) {
            int b = body[i] & 0xff;
            if (b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) {
                control++;
            }
        }
        return control > n / 10;
    }

    private static String shorten(String message) {
        if (message == null) {
            return null;
        }
        String oneLine = message.replaceAll("\\s+", " ").trim();
        if (oneLine.isEmpty()) {
            return null;
        }
        return oneLine.length() <= MAX_MESSAGE_CHARS ? oneLine : oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
