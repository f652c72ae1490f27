package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CallStatsTest {
    private static final CallInfo CALL = new CallInfo("pai-eas", "POST", "http://h/api/predict/svc", "h", 80, null, null, null, -1);

    private static ClassifiedError error(Category category, int status) {
        return new ClassifiedError("pai-eas", category, status, null, null, null, category.retryable(), null, null);
    }

    @Test
    void summaryCountsCallsErrorsByCategoryRetriesAndWaits() {
        List<String> out = new ArrayList<>();
        CallStats stats = new CallStats(out::add, () -> "");

        CallObserver recovered = stats.callStarted(CALL);
        recovered.attemptResponded(1, 450, error(Category.QUEUE_FULL, 450));
        recovered.backoff(2, 500, BackoffSource.EXPONENTIAL, null);
        recovered.attemptResponded(2, 503, error(Category.UNAVAILABLE, 503));
        recovered.backoff(3, 700, BackoffSource.EXPONENTIAL, null);
        recovered.attemptResponded(3, 200, null);
        recovered.callEnded(3, 200, null, null, null);

        CallObserver failed = stats.callStarted(CALL);
        failed.attemptResponded(1, 450, error(Category.QUEUE_FULL, 450));
        failed.callEnded(1, 450, error(Category.QUEUE_FULL, 450), null, "max-attempts 1 reached");

        stats.callStarted(CALL).callEnded(1, 200, null, null, null);
        stats.shutdown();
        assertEquals(List.of("aierr summary: 3 AI calls (1 failed), 3 errors (queue_full 2, unavailable 1), "
                + "2 retries, 1200ms total backoff"), out);
    }

    @Test
    void anIdleRunSaysSoInOneLine() {
        CallStats stats = new CallStats(line -> { }, () -> "");
        assertEquals("aierr summary: 0 AI calls, 0 errors, 0 retries, 0ms total backoff", stats.summary());
    }
}
