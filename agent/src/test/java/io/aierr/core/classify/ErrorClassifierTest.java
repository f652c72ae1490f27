package io.aierr.core.classify;

import io.aierr.core.Headers;

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
    void geminiPerMinuteQuotaIsARateLimitButADailyOneIsSpent() {
        String perMinute = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your "
                + "plan and billing details.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"x\",\"quotaId\":"
                + "\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]}]}}";
        assertEquals(Category.RATE_LIMITED, classify("gemini", 429, perMinute).category);
        String perDay = perMinute.replace("PerMinute", "PerDay");
        assertEquals(Category.QUOTA_EXCEEDED, classify("gemini", 429, perDay).category);
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
}
