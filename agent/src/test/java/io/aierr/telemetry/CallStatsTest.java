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

        CallObserver thrice = stats.callStarted(CALL);
        thrice.attemptResponded(1, 503, error(Category.UNAVAILABLE, 503));
        thrice.backoff(2, 0, BackoffSource.EXPONENTIAL, null);
        thrice.attemptResponded(2, 503, error(Category.UNAVAILABLE, 503));
        thrice.backoff(3, 0, BackoffSource.EXPONENTIAL, null);
        thrice.attemptResponded(3, 503, error(Category.UNAVAILABLE, 503));
        thrice.backoff(4, 0, BackoffSource.EXPONENTIAL, null);
        thrice.attemptResponded(4, 200, null);
        thrice.callEnded(4, 200, null, null, null);

        stats.callStarted(CALL).callEnded(1, 200, null, null, null);
        stats.shutdown();
        // the most frequent category first, though queue_full comes before unavailable in Category's order
        assertEquals(List.of("aierr summary: 4 AI calls (1 failed), 6 errors (unavailable 4, queue_full 2), "
                + "5 retries, 1200ms total backoff"), out);
    }

    @Test
    void equalCountsKeepTheCategoriesOrder() {
        CallStats stats = new CallStats(line -> { }, () -> "");
        CallObserver call = stats.callStarted(CALL);
        call.attemptResponded(1, 503, error(Category.UNAVAILABLE, 503));
        call.attemptResponded(2, 429, error(Category.RATE_LIMITED, 429));
        call.callEnded(2, 429, error(Category.RATE_LIMITED, 429), null, "max-attempts 2 reached");
        assertEquals("aierr summary: 1 AI call (1 failed), 2 errors (rate_limited 1, unavailable 1), 0 retries,"
                + " 0ms total backoff", stats.summary());
    }

    @Test
    void aRunWithoutAiCallsPrintsNoSummary() {
        List<String> out = new ArrayList<>();
        CallStats stats = new CallStats(out::add, () -> "");
        stats.shutdown();
        assertEquals(List.of(), out);
    }
}
