package io.aierr.core.classify;

import io.aierr.core.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RetryHintsTest {
    private static final String DATE = "Wed, 21 Oct 2026 07:28:00 GMT";

    private static RetryHint hint(String body, String... headerPairs) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.computeIfAbsent(headerPairs[i], k -> new java.util.ArrayList<>()).add(headerPairs[i + 1]);
        }
        ErrorResponse r = new ErrorResponse("POST", "https://x/v1", 429, Headers.of(h),
                body.getBytes(StandardCharsets.UTF_8), false, 0);
        return ErrorClassifier.classify("openai", r).retryHint;
    }

    private static void assertHint(long millis, String source, RetryHint hint) {
        assertEquals(millis + "ms (" + source + ")", String.valueOf(hint));
    }

    @Test
    void millisecondHeadersComeFirst() {
        assertHint(250, "retry-after-ms", hint("", "retry-after-ms", "250", "retry-after", "3"));
        assertHint(1500, "x-ms-retry-after-ms", hint("", "x-ms-retry-after-ms", "1500", "retry-after", "3"));
        assertHint(13, "retry-after-ms", hint("", "Retry-After-Ms", "12.2"));
    }

    @Test
    void retryAfterInSecondsOrAsHttpDateRelativeToTheServersDate() {
        assertHint(2000, "retry-after", hint("", "retry-after", "2"));
        assertHint(500, "retry-after", hint("", "retry-after", "0.5"));
        assertHint(30_000, "retry-after", hint("", "date", DATE, "retry-after", "Wed, 21 Oct 2026 07:28:30 GMT"));
        assertHint(0, "retry-after", hint("", "date", DATE, "retry-after", "Wed, 21 Oct 2026 07:27:00 GMT"));
    }

    @Test
    void garbageValuesAreIgnoredNotGuessed() {
        assertNull(hint("", "retry-after", "soon"));
        assertNull(hint("", "retry-after", "-5"));
        assertNull(hint("", "retry-after-ms", "1e9"));
        assertNull(hint("", "retry-after", "99999999999999999999999"));
        assertHint(7L * 24 * 3600 * 1000, "retry-after", hint("", "retry-after", "9999999999"));
        assertHint(1000, "retry-after", hint("", "retry-after-ms", "abc", "retry-after", "1"));
    }

    @Test
    void theResetOfTheSpentBucketCounts() {
        assertHint(360_000, "rate-limit-reset", hint("",
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "6m0s",
                "x-ratelimit-remaining-tokens", "1500", "x-ratelimit-reset-tokens", "20ms"));
        assertHint(20, "rate-limit-reset", hint("",
                "x-ratelimit-remaining-requests", "12", "x-ratelimit-reset-requests", "6m0s",
                "x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "20ms"));
        assertHint(179_560, "rate-limit-reset", hint("",
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2m59.56s"));
        assertNull(hint("", "x-ratelimit-remaining-requests", "3", "x-ratelimit-reset-requests", "1s"));
        assertNull(hint("", "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "later"));
    }

    @Test
    void anthropicResetTimestampsAreRelativeToTheServersDate() {
        assertHint(12_000, "rate-limit-reset", hint("", "date", DATE,
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2026-10-21T07:28:12Z",
                "anthropic-ratelimit-tokens-remaining", "9000",
                "anthropic-ratelimit-tokens-reset", "2026-10-21T07:29:00Z"));
    }

    @Test
    void bodyHintsComeLast() {
        String gemini = "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
                + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}";
        assertHint(37_000, "retry-info", hint(gemini));
        assertHint(1000, "retry-after", hint(gemini, "retry-after", "1"));
        assertHint(20_000, "message", hint("{\"error\":{\"message\":\"Limit 3. Please try again in 20s.\"}}"));
        assertHint(6, "message", hint("{\"error\":{\"message\":\"Please try again in 6ms.\"}}"));
    }

    @Test
    void goDurations() {
        assertEquals(3_723_500L, RetryHints.goDuration("1h2m3.5s"));
        assertEquals(1L, RetryHints.goDuration("500us"));
        assertEquals(2000L, RetryHints.goDuration("2"));
        assertNull(RetryHints.goDuration("2 minutes"));
        assertNull(RetryHints.goDuration("s"));
    }
}
