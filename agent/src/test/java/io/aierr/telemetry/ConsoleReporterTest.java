package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.RetryHint;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleReporterTest {
    private static final CallInfo CALL = new CallInfo("openai", "POST",
            "http://127.0.0.1:8080/v1/chat/completions?key=abc", "127.0.0.1", 8080, "chat", "gpt-4o-mini", null, -1);
    private static final ClassifiedError RATE_LIMITED = new ClassifiedError("openai", Category.RATE_LIMITED, 429,
            "rate_limit_exceeded", "requests", "Rate limit reached for gpt-4o-mini", true,
            new RetryHint(1000, BackoffSource.RETRY_AFTER), "Slow down");
    private static final String TARGET = "POST http://127.0.0.1:8080/v1/chat/completions?key=REDACTED";

    /** A clock that moves only when told to. */
    private static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-12-07T04:54:30.120Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(long millis) {
            now = now.plus(Duration.ofMillis(millis));
        }
    }

    private final List<String> lines = new ArrayList<>();
    private final StepClock clock = new StepClock();
    private final ConsoleReporter reporter = new ConsoleReporter(lines::add, clock, true);
    private final CallObserver call = reporter.callStarted(CALL);

    @Test
    void anErrorInsideAStreamIsALineOfItsOwnAndTheCallDoesNotReadAsRecovered() {
        ClassifiedError overloaded = new ClassifiedError("anthropic", Category.OVERLOADED, 0, null, "overloaded_error",
                "Overloaded", true, null, "Retry later");
        call.attemptStarted(1);
        call.attemptResponded(1, 200, overloaded);
        clock.advance(300);
        call.backoff(2, 300, BackoffSource.EXPONENTIAL, null);
        call.attemptStarted(2);
        call.attemptResponded(2, 200, null);
        call.inBandError(overloaded);
        call.callEnded(2, 200, overloaded, null, null);
        assertEquals(List.of(
                "2026-12-07T04:54:30.120Z aierr call=1 anthropic 200 overloaded " + TARGET
                        + " attempt 1: Overloaded -> retried after 300ms (exponential)",
                "2026-12-07T04:54:30.420Z aierr call=1 anthropic 200 overloaded " + TARGET
                        + " in the stream: Overloaded -> passed to the app in its stream"), lines);
    }

    @Test
    void eachRetriedErrorIsOneLineWithTheTimeItCameAndTheWaitThenTheRecovery() {
        call.attemptStarted(1);
        call.attemptResponded(1, 429, RATE_LIMITED);
        clock.advance(1000);
        call.backoff(2, 1000, BackoffSource.RETRY_AFTER, null);
        call.attemptStarted(2);
        clock.advance(5);
        call.attemptResponded(2, 429, RATE_LIMITED);
        clock.advance(340);
        call.backoff(3, 340, BackoffSource.PACED, "retry-after-ms 250ms");
        call.attemptStarted(3);
        clock.advance(5);
        call.attemptResponded(3, 200, null);
        call.callEnded(3, 200, null, null, null);
        assertEquals(List.of(
                "2026-12-07T04:54:30.120Z aierr call=1 openai 429 rate_limited (rate_limit_exceeded) " + TARGET
                        + " attempt 1: Rate limit reached for gpt-4o-mini -> retried after 1000ms (retry-after)",
                "2026-12-07T04:54:31.125Z aierr call=1 openai 429 rate_limited (rate_limit_exceeded) " + TARGET
                        + " attempt 2: Rate limit reached for gpt-4o-mini -> retried after 340ms"
                        + " (retry-after-ms 250ms, paced to 340ms)",
                "2026-12-07T04:54:31.470Z aierr call=1 openai " + TARGET
                        + " recovered: 200 on attempt 3 after 1340ms of backoff"), lines);
    }

    @Test
    void aHeldWaitNamesTheHintItStretched() {
        call.attemptResponded(1, 429, RATE_LIMITED);
        call.backoff(2, 1500, BackoffSource.HELD, "retry-after 1000ms");
        assertTrue(lines.get(0).endsWith(" -> retried after 1500ms (retry-after 1000ms, held to 1500ms)"), lines.get(0));
    }

    @Test
    void concurrentCallsHaveTheirOwnNumbers() {
        CallObserver other = reporter.callStarted(CALL);
        other.attemptResponded(1, 429, RATE_LIMITED);
        call.attemptResponded(1, 429, RATE_LIMITED);
        call.backoff(2, 10, BackoffSource.RETRY_AFTER, null);
        other.backoff(2, 12, BackoffSource.RETRY_AFTER, null);
        assertTrue(lines.get(0).contains(" aierr call=1 openai 429 "), lines.get(0));
        assertTrue(lines.get(1).contains(" aierr call=2 openai 429 "), lines.get(1));
    }

    @Test
    void aGiveUpSaysWhy() {
        ClassifiedError quota = new ClassifiedError("openai", Category.QUOTA_EXCEEDED, 429, "insufficient_quota",
                null, "You exceeded your current quota", false, null, null);
        call.attemptStarted(1);
        call.attemptResponded(1, 429, quota);
        call.callEnded(1, 429, quota, null, "quota_exceeded is never retried");
        assertEquals(List.of("2026-12-07T04:54:30.120Z aierr call=1 openai 429 quota_exceeded (insufficient_quota) "
                + TARGET + " attempt 1: You exceeded your current quota -> giving up: quota_exceeded is never retried"),
                lines);
    }

    @Test
    void aTransportFailureNamesTheException() {
        ConnectException refused = new ConnectException("Connection refused");
        ClassifiedError error = new ClassifiedError("openai", Category.CONNECTION_ERROR, 0, null,
                "ConnectException", "Connection refused", false, null, null);
        call.attemptStarted(1);
        call.attemptFailed(1, refused, error);
        call.callEnded(1, 0, error, refused, null);
        assertEquals(List.of("2026-12-07T04:54:30.120Z aierr call=1 openai connection_error (java.net.ConnectException) "
                + TARGET + " attempt 1: Connection refused -> the app gets the exception"), lines);
    }

    @Test
    void aSuccessAtTheFirstAttemptSaysNothing() {
        call.attemptStarted(1);
        call.attemptResponded(1, 200, null);
        call.callEnded(1, 200, null, null, null);
        assertEquals(List.of(), lines);
    }

    @Test
    void messagesAreRedactedFlattenedAndCutWithAnEllipsis() {
        String longMessage = "Incorrect API key provided: sk-proj-abcdef123456.\n" + "x".repeat(500);
        ClassifiedError auth = new ClassifiedError("openai", Category.AUTHENTICATION, 401, "invalid_api_key", null,
                longMessage, false, null, null);
        call.attemptStarted(1);
        call.attemptResponded(1, 401, auth);
        call.callEnded(1, 401, auth, null, "status 401 is not retried");
        String line = lines.get(0);
        assertTrue(line.contains("attempt 1: Incorrect API key provided: sk-REDACTED. xxx"), line);
        assertTrue(line.endsWith("x… -> giving up: status 401 is not retried"), line);
        assertTrue(line.length() <= ConsoleReporter.LINE_LIMIT, line);
    }

    @Test
    void aLongUrlAndReasonStillMakeABoundedLine() {
        CallInfo longCall = new CallInfo("openai", "POST", "http://127.0.0.1:8080/v1/chat/completions?trace="
                + "t".repeat(400), "127.0.0.1", 8080, "chat", "gpt-4o-mini", null, -1);
        CallObserver observer = reporter.callStarted(longCall);
        observer.attemptResponded(1, 429, RATE_LIMITED);
        observer.callEnded(1, 429, RATE_LIMITED, null, "r".repeat(400));
        observer = reporter.callStarted(longCall);
        observer.attemptResponded(1, 429, RATE_LIMITED);
        observer.backoff(2, 5, BackoffSource.RETRY_AFTER, null);
        assertEquals(2, lines.size());
        for (String line : lines) {
            assertTrue(line.length() <= ConsoleReporter.LINE_LIMIT, line);
            assertTrue(line.contains("ttt… "), line);
        }
        assertTrue(lines.get(1).contains(" attempt 1: Rate limit reached for gpt-4o-mini -> retried after 5ms"),
                lines.get(1));
    }

    @Test
    void whereStderrCannotPrintTheEllipsisThreeDotsStandIn() {
        assertTrue(ConsoleReporter.canEncodeEllipsis(StandardCharsets.UTF_8));
        assertFalse(ConsoleReporter.canEncodeEllipsis(StandardCharsets.US_ASCII));
        ConsoleReporter ascii = new ConsoleReporter(lines::add, clock, false);
        ClassifiedError auth = new ClassifiedError("openai", Category.AUTHENTICATION, 401, "invalid_api_key", null,
                "y".repeat(500), false, null, null);
        CallObserver observer = ascii.callStarted(CALL);
        observer.attemptResponded(1, 401, auth);
        observer.callEnded(1, 401, auth, null, "status 401 is not retried");
        assertTrue(lines.get(0).endsWith("y... -> giving up: status 401 is not retried"), lines.get(0));
    }
}
