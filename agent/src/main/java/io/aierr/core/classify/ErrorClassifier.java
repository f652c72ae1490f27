package io.aierr.core.classify;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
        "error", "errorMessage", "error_msg", "msg", "errors.message", "response.error.message"};
    private static final String[] CODE_PATHS = {"error.code", "code", "__type", "errorCode", "error_code",
        "error.innererror.code", "errors.code", "response.error.code"};
    /** Anthropic's top-level {@code "type":"error"} and vLLM's {@code "object":"error"} name no type. */
    private static final String[] TYPE_PATHS = {"error.type", "error.status", "response.error.type", "type", "status"};

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
                "ServerOverloaded", "server_is_overloaded", "capacity_exceeded", "service_tier_capacity_exceeded",
                "MODEL_CAPACITY_EXHAUSTED");
        codes(Category.UNAVAILABLE, "UNAVAILABLE", "ServiceUnavailableException", "ServiceUnavailable",
                "service_unavailable", "ModelNotReadyException", "ServiceUnavailableError", "service_unavailable_error");
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
                "deployment_not_found", "unknown_url", "model_decommissioned", "invalid_model");
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

    /**
     * Codes and types that only say "the server failed": they name a category when the status says
     * nothing (a streamed event, a 200), never over a status that does (a 413 typed {@code server_error}).
     */
    private static final Set<String> GENERIC = Set.of("server_error", "api_error", "internal_error", "internal",
            "internalservererror", "internal_server_error");

    /** Statuses outside HTTP's own that a provider documents, keyed {@code provider/status}. */
    private static final Map<String, Category> PROVIDER_STATUSES = Map.of(
            "groq/498", Category.OVERLOADED, // flex tier capacity exceeded
            "cohere/498", Category.CONTENT_FILTERED); // request blocked as unsafe by the usage guidelines

    /** What a limit named in the answer means for a retry. */
    private enum Limit {
        /** Spent for good, or for longer than any wait: a quota, never retried. */
        SPENT,
        /** Resets daily: a rate limit whose wait is the rest of the day. */
        DAILY,
        /** Resets within the minute: a rate limit like any other. */
        PASSING
    }

    /** Phrases that say a quota or credit is spent, which waiting does not fix (lower-case). */
    private static final Phrase QUOTA_PHRASE = new Phrase("credit balance is too low|insufficient (account )?"
            + "(balance|credits)|exceeded your current quota|billing details|free tier (of the model )?(has been )?exhausted"
            + "|account is in arrears|overdue|api usage limits?|free allocated quota|free quota|used all available credits"
            + "|(purchase|buy) more credits|(out|run out) of credits|spending limit|failure to pay|account .{1,60} suspended",
            "credit", "insufficient", "quota", "billing", "exhausted", "arrears", "overdue", "usage limit",
            "spending limit", "failure to pay", "suspended");
    /** A request larger than the per-minute limit itself: no wait lets it through. */
    private static final Phrase OVER_LIMIT_PHRASE = new Phrase("request too large for .{1,200}(must be reduced"
            + "|reduce your message size)",
            "request too large for");
    /** A limit of 0 ({@code limit: 0}, {@code Limit 0,}): the plan gives this model nothing, so it is a quota. */
    private static final Phrase ZERO_LIMIT = new Phrase("\\blimit:? 0(?![\\d.])",
            "limit");
    /** A limit that resets monthly: spent like a quota, since a month is beyond any wait. */
    private static final Phrase MONTHLY_PHRASE = new Phrase("per month|/ ?month\\b|monthly (api )?(usage |spending "
            + "|spend )?(limit|quota|threshold|cap)",
            "month");
    /** A limit that resets daily: a rate limit whose wait is the rest of the day. */
    private static final Phrase DAILY_PHRASE = new Phrase("per[ -]day|daily (limit|quota|cap)|quota for (the|this) day"
            + "|byday|per 86400 ?s",
            "day", "daily", "86400");
    private static final Phrase CONTEXT_PHRASE = new Phrase("maximum context length|context length|context "
            + "window|prompt is too long|input is too long|too many (input )?tokens|exceeds? the maximum (number of )?"
            + "(input )?tokens|input token count.*exceeds|reduce the length of the messages|maximum input length"
            + "|range of input length|maximum prompt length|max_new_tokens.? must be|prompt contains \\d+ tokens",
            "context", "too long", "token", "length");
    private static final Phrase CONTENT_PHRASE = new Phrase("content management policy|content (filter|policy)"
            + "|responsible ?ai|inappropriate content|data inspection|safety (system|filters?)|violating our usage polic"
            + "|requires moderation|(input|prompt|content|output|request) (was|has been|is) flagged|moderation block",
            "content", "responsible", "inspection", "safety", "usage polic", "moderation", "flagged");
    private static final Phrase AUTH_PHRASE = new Phrase("api[ _-]?key (is )?(not valid|invalid|incorrect"
            + "|missing|expired)|(invalid|incorrect|missing|expired) (api[ _-]?key|subscription key|token|x-api-key"
            + "|access token|authentication)|invalid subscription key|authentication (failed|fails|is required)"
            + "|unauthorized|no api key|security token included in the request is invalid",
            "api", "invalid", "incorrect", "missing", "expired", "authentication", "unauthorized");
    private static final Phrase REGION_PHRASE = new Phrase("location is not supported|country, region,? or"
            + " territory not supported|not available in your (country|region)|unsupported (country|region)",
            "supported", "not available");
    private static final Phrase NOT_FOUND_PHRASE = new Phrase("model (does )?not exist|model .{1,80} does not "
            + "exist|no such model|unknown model|model not found",
            "model");
    private static final Phrase OVERLOADED_PHRASE = new Phrase("overload|over capacity|at capacity"
            + "|high (traffic|demand)|capacity exceeded|no capacity available|(insufficient|out of) capacity",
            "overload", "capacity", "high traffic", "high demand");
    /** What Envoy and other proxies say when no backend instance could answer. */
    private static final Phrase UPSTREAM_PHRASE = new Phrase("no healthy upstream|upstream connect error"
            + "|reset before headers|upstream request timeout|no available (instance|server|backend)"
            + "|service unavailable|temporarily unavailable",
            "upstream", "reset before headers", "no available", "unavailable");
    private static final Phrase QUEUE_PHRASE = new Phrase("queue is full|queue full",
            "queue");
    private static final Pattern HTML_TITLE = Pattern.compile("<title[^>]*>([^<]{1,300})</title>", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_H1 = Pattern.compile("<h1[^>]*>([^<]{1,300})</h1>", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_TAG = Pattern.compile("<[^>]*>");
    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
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
        if (!looksLikeJson(body) && StreamBody.looksLikeSse(body)) {
            // a stream refused with an error status says why in its first event
            body = StreamBody.firstJsonData(body);
        }
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
        Limit limit = limitVerdict(response.status, json, code, type, haystack);
        Category category = limit == Limit.SPENT ? Category.QUOTA_EXCEEDED
                : limit != null ? Category.RATE_LIMITED
                : categorize(p, response.status, json, code, type, haystack);
        RetryHint hint = RetryHints.find(response, json, message);
        String solution = Solutions.forError(p, category);
        if (limit == Limit.DAILY) {
            hint = RetryHints.untilDailyReset(response, hint, dailyResetZone(p, json));
            solution = Solutions.forDailyLimit(p);
        }
        return new ClassifiedError(p, category, response.status, code, type, shorten(message),
                category.retryable(), hint, solution);
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

    /**
     * The reason beyond the limits: a specific code or message outranks the status (a 400 about an
     * invalid key is {@code authentication}), moderation and context-length messages outrank a 403,
     * and the status decides only when the body names nothing more specific. Status 0 is an event
     * inside a stream that named no status: nothing is ruled out by it.
     */
    private static Category categorize(String provider, int status, JsonFields json, String code, String type,
                                       String text) {
        Category byCode = byCode(status, code, type, json);
        if (byCode == Category.CONTEXT_LENGTH_EXCEEDED || byCode == Category.CONTENT_FILTERED
                || byCode == Category.AUTHENTICATION) {
            return byCode;
        }
        boolean clientSide = status < 500 && status != 429;
        boolean serverSide = status == 0 || status == 429 || status >= 500;
        if (clientSide && CONTEXT_PHRASE.in(text)) {
            return Category.CONTEXT_LENGTH_EXCEEDED;
        }
        if (clientSide && (byCode == null || byCode == Category.PERMISSION_DENIED)
                && CONTENT_PHRASE.in(text)) {
            return Category.CONTENT_FILTERED;
        }
        if (status == 401 || clientSide && AUTH_PHRASE.in(text)) {
            return Category.AUTHENTICATION;
        }
        if (clientSide && REGION_PHRASE.in(text)) {
            return Category.PERMISSION_DENIED;
        }
        if (clientSide && byCode == null && NOT_FOUND_PHRASE.in(text)) {
            return Category.NOT_FOUND;
        }
        if (status == 450 || (status >= 429 || status == 0) && QUEUE_PHRASE.in(text)) {
            return Category.QUEUE_FULL;
        }
        if (serverSide && OVERLOADED_PHRASE.in(text) || status == 529) {
            return Category.OVERLOADED;
        }
        if ((status == 503 || status == 0) && UPSTREAM_PHRASE.in(text)) {
            return Category.UNAVAILABLE;
        }
        if (byCode != null) {
            return byCode;
        }
        return byStatus(provider, status);
    }

    /**
     * What a limit named in the answer means. It must be sure, since a spent quota is never
     * retried: structure first (codes, 402, a limit of 0, Gemini quota ids whose period is the
     * day or the month), then phrases. A per-minute Gemini quota, whose message also says
     * "exceeded your current quota", stays a passing rate limit; a daily one waits for the day.
     */
    private static Limit limitVerdict(int status, JsonFields json, String code, String type, String text) {
        if (status == 402 || isCode(code, Category.QUOTA_EXCEEDED) || isCode(type, Category.QUOTA_EXCEEDED)
                || json != null && isCode(json.first("error.details.error_code"), Category.QUOTA_EXCEEDED)) {
            return Limit.SPENT;
        }
        boolean mayBeSpent = status == 0 || status >= 400 && status < 500 && status != 401 && status != 404;
        if (json != null && json.all("error.details.violations.quotaValue").contains("0")
                || mayBeSpent && ZERO_LIMIT.in(text)) {
            return Limit.SPENT;
        }
        if (json != null) {
            List<String> quotaIds = json.all("error.details.violations.quotaId");
            if (!quotaIds.isEmpty()) {
                return longest(quotaIds);
            }
            if (json.first("error.details.retryDelay") != null) {
                return Limit.PASSING;
            }
        }
        if (!mayBeSpent) {
            return null;
        }
        if (MONTHLY_PHRASE.in(text) || OVER_LIMIT_PHRASE.in(text)) {
            return Limit.SPENT;
        }
        if (DAILY_PHRASE.in(text)) {
            return Limit.DAILY;
        }
        return QUOTA_PHRASE.in(text) ? Limit.SPENT : null;
    }

    /** The longest period among Gemini's violated quota ids ({@code GenerateRequestsPerDayPerProjectPerModel}). */
    private static Limit longest(List<String> quotaIds) {
        Limit limit = Limit.PASSING;
        for (String id : quotaIds) {
            if (id.contains("PerMonth")) {
                return Limit.SPENT;
            }
            if (id.contains("PerDay")) {
                limit = Limit.DAILY;
            }
        }
        return limit;
    }

    /** Google documents its daily quotas as resetting at midnight Pacific; others are taken as UTC days. */
    private static ZoneId dailyResetZone(String provider, JsonFields json) {
        boolean google = provider.equals("gemini") || provider.equals("vertex-ai")
                || json != null && !json.all("error.details.violations.quotaId").isEmpty();
        return google ? PACIFIC : ZoneOffset.UTC;
    }

    private static Category byCode(int status, String code, String type, JsonFields json) {
        Category c = specific(code, status);
        if (c == null && json != null) {
            // Gemini says API_KEY_INVALID in details.reason under a generic INVALID_ARGUMENT
            c = specific(json.first("error.details.reason"), status);
        }
        if (c == null) {
            c = specific(type, status);
        }
        return c;
    }

    /** The category a code or type names, unless it is generic and the status says more. */
    private static Category specific(String value, int status) {
        Category c = lookup(value);
        return c != null && status >= 400 && GENERIC.contains(value.toLowerCase(Locale.ROOT)) ? null : c;
    }

    private static Category lookup(String value) {
        return value == null ? null : CODES.get(value.toLowerCase(Locale.ROOT));
    }

    private static boolean isCode(String value, Category category) {
        return value != null && CODES.get(value.toLowerCase(Locale.ROOT)) == category;
    }

    private static Category byStatus(String provider, int status) {
        Category documented = PROVIDER_STATUSES.get(provider + "/" + status);
        return documented != null ? documented : byStatus(status);
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

    /** The error's type; an event's own type ({@code error}, the responses API's {@code response.failed}) is none. */
    private static String typeOf(JsonFields json) {
        for (String path : TYPE_PATHS) {
            String v = json.first(path);
            if (v != null && !v.equals("error") && !v.startsWith("response.") && !allDigits(v)) {
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
        String oneLine = oneLine(message);
        if (oneLine.isEmpty()) {
            return null;
        }
        return oneLine.length() <= MAX_MESSAGE_CHARS ? oneLine : oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /**
     * Runs of ASCII whitespace (what {@code \s} matches) as one space, trimmed: by hand, as every
     * error answer's message passes here and a regular expression would be compiled each time.
     */
    private static String oneLine(String message) {
        StringBuilder out = new StringBuilder(message.length());
        boolean space = false;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString().trim();
    }

    private static boolean allDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return !v.isEmpty();
    }
}
