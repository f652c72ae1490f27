package io.aierr.core.classify;

import io.aierr.core.Headers;
import io.aierr.core.retry.RetryPolicy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The precedence rules of the classifier; the provider corpus runs through the CLI in agent-tests. */
class ErrorClassifierTest {
    private static ClassifiedError classify(String provider, int status, String body, String... headerPairs) {
        return classify(provider, status, body.getBytes(StandardCharsets.UTF_8), false, headerPairs);
    }

    private static ClassifiedError classify(String provider, int status, byte[] body, boolean truncated,
                                            String... headerPairs) {
        Map<String, List<String>> h = new java.util.LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.put(headerPairs[i], List.of(headerPairs[i + 1]));
        }
        return ErrorClassifier.classify(provider, new ErrorResponse("POST", "https://x/v1/chat/completions", status,
                Headers.of(h), body, truncated, System.currentTimeMillis()));
    }

    @Test
    void openAiQuotaIsNeverRetryableEvenThoughItIsA429() {
        ClassifiedError e = classify("openai", 429, "{\"error\":{\"message\":\"You exceeded your current quota, "
                + "please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
                + "\"code\":\"insufficient_quota\"}}", "retry-after", "1");
        assertEquals(Category.QUOTA_EXCEEDED, e.category);
        assertFalse(e.retryable);
        assertEquals("insufficient_quota", e.code);
        assertTrue(e.solution.contains("billing"), e.solution);
    }

    @Test
    void geminiPerMinuteQuotaPassesADailyOneWaitsForMidnightPacificAZeroOneIsSpent() {
        String perMinute = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your "
                + "plan and billing details.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"x\",\"quotaId\":"
                + "\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\",\"quotaValue\":\"10\"}]},{\"@type\":"
                + "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"21s\"}]}}";
        ClassifiedError minute = classify("gemini", 429, perMinute, "date", NOON_PACIFIC);
        assertEquals(Category.RATE_LIMITED, minute.category);
        assertEquals(21_000, minute.retryAfterMillis());

        ClassifiedError day = classify("gemini", 429, perMinute.replace("PerMinute", "PerDay"), "date", NOON_PACIFIC);
        assertEquals(Category.RATE_LIMITED, day.category);
        assertEquals(12 * HOUR, day.retryAfterMillis(), "until midnight Pacific, not the 21 s RetryInfo");

        ClassifiedError zero = classify("gemini", 429, perMinute.replace("\"10\"", "\"0\""), "date", NOON_PACIFIC);
        assertEquals(Category.QUOTA_EXCEEDED, zero.category, "a limit of 0 never passes, whatever its period");
        assertFalse(zero.retryable);
    }

    /** Mon, 2 Mar 2026 20:00 UTC is 12:00 in Los Angeles (PST). */
    private static final String NOON_PACIFIC = "Mon, 02 Mar 2026 20:00:00 GMT";
    private static final long HOUR = 3_600_000L;

    @Test
    void aDailyLimitIsARateLimitWaitingForTheResetSoItIsNotRetriedAndItsHintIsNotBilling() {
        String tpd = "{\"error\":{\"message\":\"Rate limit reached for model `llama-3.3-70b-versatile` in organization "
                + "`org_01` service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 97050, Requested 3619. "
                + "Please try again in 9m38.016s. Need more tokens? Upgrade to Dev Tier today at "
                + "https://console.groq.com/settings/billing\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}";
        ClassifiedError e = classify("groq", 429, tpd, "date", "Mon, 02 Mar 2026 18:00:00 GMT");
        assertEquals(Category.RATE_LIMITED, e.category, "a daily limit is not a spent billing quota");
        assertTrue(e.retryable);
        assertEquals(6 * HOUR, e.retryAfterMillis(), "until the next UTC midnight, not the 9m38s of the message");
        assertEquals(BackoffSource.RATE_LIMIT_RESET, e.retryHint.source);
        assertFalse(e.solution.toLowerCase(java.util.Locale.ROOT).contains("billing"), e.solution);

        RetryPolicy policy = new RetryPolicy(true, java.util.Set.of(429), 3, 500, 30_000, 60_000, bound -> 0);
        assertFalse(policy.decide(e, 1, 0, Long.MAX_VALUE, true, false).retry, "the wait is beyond max-wait");

        ClassifiedError longerHint = classify("groq", 429, tpd, "date", "Mon, 02 Mar 2026 18:00:00 GMT",
                "retry-after", "86400");
        assertEquals(24 * HOUR, longerHint.retryAfterMillis(), "a longer server hint outranks the reset");
    }

    @Test
    void aLimitThatResetsMonthlyOrThatTheRequestAloneExceedsIsSpent() {
        assertEquals(Category.QUOTA_EXCEEDED, classify("cohere", 429, "{\"message\":\"You are using a Trial key, which "
                + "is limited to 1000 API calls / month.\"}").category);
        assertEquals(Category.RATE_LIMITED, classify("cohere", 429, "{\"message\":\"You are using a Trial key, which "
                + "is limited to 40 API calls / minute.\"}").category);
        assertEquals(Category.QUOTA_EXCEEDED, classify("groq", 413, "{\"error\":{\"message\":\"Request too large for "
                + "model `m` on tokens per minute (TPM): Limit 6000, Requested 14810, please reduce your message size and "
                + "try again.\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}").category);
        assertEquals(Category.QUOTA_EXCEEDED, classify("openai", 429, "{\"error\":{\"message\":\"Rate limit reached for "
                + "gpt-4o on tokens per min (TPM): Limit 0, Used 0, Requested 12.\",\"type\":\"tokens\","
                + "\"code\":\"rate_limit_exceeded\"}}").category, "a limit of 0 outranks the rate-limit code");
    }

    @Test
    void aGenericTypeNeverOutranksTheStatusButASpecificCodeDoes() {
        ClassifiedError tooLarge = classify("openai", 413, "{\"error\":{\"message\":\"Request entity too large\","
                + "\"type\":\"server_error\"}}");
        assertEquals(Category.PAYLOAD_TOO_LARGE, tooLarge.category);
        assertEquals("server_error", tooLarge.type, "the type is still reported");
        assertEquals(Category.UNAVAILABLE, classify("anthropic", 503, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"api_error\",\"message\":\"Internal server error\"}}").category);
        assertEquals(Category.SERVER_ERROR, classify("bedrock", 424, "{\"message\":\"The model failed\"}",
                "x-amzn-errortype", "ModelErrorException").category, "a specific code outranks a 424");
        assertEquals(Category.NOT_FOUND, classify("groq", 400, "{\"error\":{\"message\":\"The model `x` has been "
                + "decommissioned\",\"type\":\"invalid_request_error\",\"code\":\"model_decommissioned\"}}").category);
    }

    @Test
    void documentedCapacityStatusesAndMessagesAreOverloaded() {
        assertEquals(Category.OVERLOADED, classify("groq", 498, "").category);
        assertTrue(classify("groq", 498, "").retryable);
        assertEquals(Category.INVALID_REQUEST, classify("openai", 498, "").category, "498 is Groq's, not HTTP's");
        assertEquals(Category.OVERLOADED, classify("mistral", 503, "{\"object\":\"error\",\"message\":\"Service tier "
                + "capacity exceeded for this model.\",\"type\":\"invalid_request_error\",\"code\":null}").category,
                "capacity, not an unavailable upstream");
    }

    @Test
    void moderationAndContextLengthMessagesOutrankA403() {
        assertEquals(Category.CONTENT_FILTERED, classify("openrouter", 403, "{\"error\":{\"code\":403,\"message\":"
                + "\"openai/gpt-4o requires moderation on OpenAI. Your input was flagged for \\\"violence\\\".\","
                + "\"metadata\":{\"reasons\":[\"violence\"]}}}").category);
        ClassifiedError blocked = classify("azure-openai", 403, "{\"error\":{\"code\":\"Forbidden\",\"message\":"
                + "\"Your resource has been temporarily blocked because we detected behavior that may violate our "
                + "content policy.\"}}");
        assertEquals(Category.CONTENT_FILTERED, blocked.category, "the message outranks the generic Forbidden code");
        assertEquals(Category.CONTEXT_LENGTH_EXCEEDED, classify("custom", 403, "{\"error\":{\"code\":\"Forbidden\","
                + "\"message\":\"This model's maximum prompt length is 131072 but the request contains 136973 tokens."
                + "\"}}").category);
        assertEquals(Category.PERMISSION_DENIED, classify("azure-openai", 403, "{\"error\":{\"code\":\"Forbidden\","
                + "\"message\":\"Public access is disabled.\"}}").category);
    }

    @Test
    void aResetTheBodyRepeatsForASpentBucketIsTheHint() {
        String body = "{\"error\":{\"message\":\"Rate limit exceeded: free-models-per-minute.\",\"code\":429,"
                + "\"metadata\":{\"headers\":{\"X-RateLimit-Limit\":\"20\",\"X-RateLimit-Remaining\":\"0\","
                + "\"X-RateLimit-Reset\":\"1772481620000\"}}}}";
        ClassifiedError e = classify("openrouter", 429, body, "date", "Mon, 02 Mar 2026 20:00:00 GMT");
        assertEquals(Category.RATE_LIMITED, e.category);
        assertEquals(20_000, e.retryAfterMillis());
        ClassifiedError roomLeft = classify("openrouter", 429, body.replace("Remaining\":\"0\"",
                "Remaining\":\"5\""), "date", "Mon, 02 Mar 2026 20:00:00 GMT");
        assertNull(roomLeft.retryHint, "a bucket with room left says nothing about this error");
    }

    @Test
    void anErrorStatusSentAsAStreamIsReadFromItsErrorEvent() {
        ClassifiedError e = classify("dashscope", 400, "id:1\nevent:error\n:HTTP_STATUS/400\ndata:{\"code\":"
                + "\"DataInspectionFailed\",\"message\":\"Input data may contain inappropriate content.\"}\n\n");
        assertEquals(Category.CONTENT_FILTERED, e.category);
        assertEquals("DataInspectionFailed", e.code);
        assertEquals("Input data may contain inappropriate content.", e.message);
    }

    @Test
    void theBodySaysMoreThanTheStatus() {
        assertEquals(Category.AUTHENTICATION, classify("gemini", 400, "{\"error\":{\"code\":400,\"message\":\"API key "
                + "not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}").category);
        assertEquals(Category.CONTEXT_LENGTH_EXCEEDED, classify("custom", 403, "{\"message\":\"This model's maximum "
                + "context length is 8192 tokens\"}").category);
        assertEquals(Category.UNAVAILABLE, classify("pai-eas", 503, "upstream connect error or disconnect/reset before "
                + "headers. reset reason: connection termination").category);
        assertEquals(Category.OVERLOADED, classify("openai", 429, "{\"error\":{\"message\":\"The engine is currently "
                + "overloaded, please try again later\",\"type\":\"server_error\"}}").category);
        assertEquals(Category.QUOTA_EXCEEDED, classify("anthropic", 400, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"invalid_request_error\",\"message\":\"Your credit balance is too low to access the Anthropic API."
                + "\"}}").category);
    }

    @Test
    void anthropicShapeGivesTypeAndMessage() {
        ClassifiedError e = classify("anthropic", 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}");
        assertEquals(Category.OVERLOADED, e.category);
        assertEquals("overloaded_error", e.type);
        assertEquals("Overloaded", e.message);
        assertNull(e.code);
        assertTrue(e.retryable);
    }

    @Test
    void bedrockNamesTheExceptionInAHeader() {
        ClassifiedError e = classify("bedrock", 429, "{\"message\":\"Too many requests, please wait before trying "
                + "again.\"}", "x-amzn-errortype", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
        assertEquals(Category.RATE_LIMITED, e.category);
        assertEquals("ThrottlingException", e.code);
    }

    @Test
    void pageTitlesAndFirstLinesBecomeTheMessage() {
        ClassifiedError html = classify("openai", 502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                + "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
        assertEquals(Category.BAD_GATEWAY, html.category);
        assertEquals("502 Bad Gateway", html.message);
        assertEquals("no healthy upstream", classify("pai-eas", 503, "no healthy upstream\n").message);
        assertNull(classify("pai-eas", 503, "").message);
    }

    @Test
    void brokenTruncatedBinaryAndCompressedBodiesStillClassify() throws Exception {
        String truncated = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\",\"code\":\"rate_limit_exce";
        ClassifiedError cut = classify("openai", 429, truncated);
        assertEquals(Category.RATE_LIMITED, cut.category);
        assertEquals("Rate limit reached", cut.message);

        byte[] binary = new byte[4096];
        new java.util.Random(7).nextBytes(binary);
        ClassifiedError bin = classify("openai", 500, binary, false);
        assertEquals(Category.SERVER_ERROR, bin.category);
        assertTrue(bin.message.startsWith("(binary body"), bin.message);

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("{\"error\":{\"code\":\"insufficient_quota\",\"message\":\"quota\"}}".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(Category.QUOTA_EXCEEDED, classify("openai", 429, gz.toByteArray(), false).category);

        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            deep.append('[');
        }
        assertEquals(Category.INVALID_REQUEST, classify("openai", 400, deep.toString()).category);
    }

    @Test
    void longMessagesAreCutToOneLine() {
        String longText = "line one\nline two " + "x".repeat(2000);
        ClassifiedError e = classify("custom", 500, "{\"message\":\"" + longText.replace("\n", "\\n") + "\"}");
        assertFalse(e.message.contains("\n"));
        assertTrue(e.message.length() <= 503, "length " + e.message.length());
    }

    @Test
    void everyStatusGetsACategoryAndASolution() {
        for (int status = 400; status < 600; status++) {
            ClassifiedError e = classify("pai-eas", status, "");
            assertNotNull(e.category);
            assertNotNull(e.solution, "status " + status);
        }
        assertEquals(Category.QUEUE_FULL, classify("pai-eas", 450, "").category);
        assertEquals(Category.CLIENT_CLOSED, classify("pai-eas", 512, "").category);
        assertEquals(Category.CLIENT_CLOSED, classify("pai-eas", 499, "").category);
        assertEquals(Category.UNSUPPORTED, classify("pai-eas", 505, "").category);
    }

    @Test
    void transportFailures() {
        assertEquals(Category.CONNECTION_ERROR,
                ErrorClassifier.classifyFailure("openai", new java.net.ConnectException("refused")).category);
        assertEquals(Category.TIMEOUT,
                ErrorClassifier.classifyFailure("openai", new java.net.http.HttpTimeoutException("t")).category);
    }

    @Test
    void aMessageIsOneLineAndANumericTypeIsNone() {
        ClassifiedError e = classify("openai", 503, "{\"error\":{\"message\":\"\\n  upstream\\t\\r\\nbusy,  try   later \\u0001\","
                + "\"type\":\"503\"}}");
        assertEquals("upstream busy, try later", e.message);
        assertEquals(null, e.type, "a status written as the type names nothing more");
    }
}
