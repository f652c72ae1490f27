package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.RetryHint;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleReporterTest {
    private static final CallInfo CALL = new CallInfo("openai", "POST",
            "http://127.0.0.1:8080/v1/chat/completions?key=abc", "127.0.0.1", 8080, "chat", "gpt-4o-mini", null, -1);
    private static final ClassifiedError RATE_LIMITED = new ClassifiedError("openai", Category.RATE_LIMITED, 429,
            "rate_limit_exceeded", "requests", "Rate limit reached for gpt-4o-mini", true,
            new RetryHint(1000, BackoffSource.RETRY_AFTER), "Slow down");
    private static final String TARGET = "POST http://127.0.0.1:8080/v1/chat/completions?key=REDACTED";

    private final List<String> lines = new ArrayList<>();
    private final CallObserver call = new ConsoleReporter(lines::add).callStarted(CALL);

    @Test
    void eachRetriedErrorIsOneLineWithTheWaitThenTheRecovery() {
        call.attemptStarted(1);
        call.attemptResponded(1, 429, RATE_LIMITED);
        call.backoff(2, 1000, BackoffSource.RETRY_AFTER, null);
        call.attemptStarted(2);
        call.attemptResponded(2, 429, RATE_LIMITED);
        call.backoff(3, 340, BackoffSource.PACED, "retry-after-ms 250ms");
        call.attemptStarted(3);
        call.attemptResponded(3, 200, null);
        call.callEnded(3, 200, null, null, null);
        assertEquals(List.of(
                "aierr: openai 429 rate_limited (rate_limit_exceeded) " + TARGET
                        + " attempt 1: Rate limit reached for gpt-4o-mini -> retried after 1000ms (retry-after)",
                "aierr: openai 429 rate_limited (rate_limit_exceeded) " + TARGET
                        + " attempt 2: Rate limit reached for gpt-4o-mini -> retried after 340ms (paced, stretched from retry-after-ms 250ms)",
                "aierr: openai " + TARGET + " recovered: 200 on attempt 3 after 1340ms of backoff"), lines);
    }

    @Test
    void aGiveUpSaysWhy() {
        ClassifiedError quota = new ClassifiedError("openai", Category.QUOTA_EXCEEDED, 429, "insufficient_quota",
                null, "You exceeded your current quota", false, null, null);
        call.attemptStarted(1);
        call.attemptResponded(1, 429, quota);
        call.callEnded(1, 429, quota, null, "quota_exceeded is never retried");
        assertEquals(List.of("aierr: openai 429 quota_exceeded (insufficient_quota) " + TARGET
                + " attempt 1: You exceeded your current quota -> giving up: quota_exceeded is never retried"), lines);
    }

    @Test
    void aTransportFailureNamesTheException() {
        ConnectException refused = new ConnectException("Connection refused");
        ClassifiedError error = new ClassifiedError("openai", Category.CONNECTION_ERROR, 0, null,
                "ConnectException", "Connection refused", false, null, null);
        call.attemptStarted(1);
        call.attemptFailed(1, refused, error);
        call.callEnded(1, 0, error, refused, null);
        assertEquals(List.of("aierr: openai connection_error (java.net.ConnectException) " + TARGET
                + " attempt 1: Connection refused -> the app gets the exception"), lines);
    }

    @Test
    void aSuccessAtTheFirstAttemptSaysNothing() {
        call.attemptStarted(1);
        call.attemptResponded(1, 200, null);
        call.callEnded(1, 200, null, null, null);
        assertEquals(List.of(), lines);
    }

    @Test
    void messagesAreRedactedFlattenedAndShortened() {
        String longMessage = "Incorrect API key provided: sk-proj-abcdef123456.\n" + "x".repeat(500);
        ClassifiedError auth = new ClassifiedError("openai", Category.AUTHENTICATION, 401, "invalid_api_key", null,
                longMessage, false, null, null);
        call.attemptStarted(1);
        call.attemptResponded(1, 401, auth);
        call.callEnded(1, 401, auth, null, "status 401 is not retried");
        String line = lines.get(0);
        assertTrue(line.contains("attempt 1: Incorrect API key provided: sk-REDACTED. xxx"), line);
        assertTrue(line.endsWith("... -> giving up: status 401 is not retried"), line);
        assertTrue(line.length() < 400, line);
    }
}
