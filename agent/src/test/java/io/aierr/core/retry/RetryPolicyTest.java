package io.aierr.core.retry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.RetryHint;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {
    /** Jitter that always draws the upper bound, so the exponential curve is visible. */
    private static final RetryPolicy POLICY = new RetryPolicy(true, Set.of(429, 450, 503, 529), 5, 500, 4_000, 10_000,
            bound -> bound);

    private static ClassifiedError error(int status, Category category, RetryHint hint) {
        return new ClassifiedError("openai", category, status, null, null, null, category.retryable(), hint, null);
    }

    @Test
    void backoffGrowsExponentiallyUpToMaxBackoff() {
        ClassifiedError e = error(503, Category.UNAVAILABLE, null);
        long[] expected = {500, 1000, 2000, 4000};
        for (int attempt = 1; attempt <= 4; attempt++) {
            RetryDecision d = POLICY.decide(e, attempt, 0, Long.MAX_VALUE, true, false);
            assertTrue(d.retry);
            assertEquals(expected[attempt - 1], d.delayMillis);
            assertEquals(BackoffSource.EXPONENTIAL, d.source);
        }
        assertEquals(4_000, POLICY.exponentialCap(500, 40), "no overflow for late attempts");
    }

    @Test
    void fullJitterStaysWithinTheCap() {
        RetryPolicy random = new RetryPolicy(true, Set.of(503), 50, 500, 4_000, Long.MAX_VALUE,
                bound -> java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1));
        for (int i = 0; i < 1000; i++) {
            RetryDecision d = random.decide(error(503, Category.UNAVAILABLE, null), 3, 0, Long.MAX_VALUE, true, false);
            assertTrue(d.delayMillis >= 0 && d.delayMillis <= 2000, d.toString());
        }
    }

    @Test
    void serverHintsWinAndAreNotCappedByMaxBackoff() {
        RetryDecision d = POLICY.decide(error(429, Category.RATE_LIMITED, new RetryHint(7_000, BackoffSource.RETRY_AFTER)), 1, 0,
                Long.MAX_VALUE, true, false);
        assertTrue(d.retry);
        assertEquals(7_000, d.delayMillis);
        assertEquals(BackoffSource.RETRY_AFTER, d.source);
    }

    @Test
    void aHintLongerThanTheRemainingMaxWaitEndsRetrying() {
        RetryDecision d = POLICY.decide(error(429, Category.RATE_LIMITED, new RetryHint(7_000, BackoffSource.RETRY_AFTER)), 2, 4_000,
                Long.MAX_VALUE, true, false);
        assertFalse(d.retry);
        assertTrue(d.reason.contains("max-wait"), d.reason);
    }

    @Test
    void theRequestDeadlineBoundsWaitsToo() {
        assertFalse(POLICY.decide(error(429, Category.RATE_LIMITED, new RetryHint(3_000, BackoffSource.RETRY_AFTER)), 1, 0, 2_000,
                true, false).retry);
        RetryDecision d = POLICY.decide(error(503, Category.UNAVAILABLE, null), 4, 0, 1_500, true, false);
        assertEquals(1_500, d.delayMillis);
    }

    @Test
    void whatIsNeverRetried() {
        assertFalse(POLICY.decide(error(429, Category.QUOTA_EXCEEDED, null), 1, 0, Long.MAX_VALUE, true, false).retry);
        assertFalse(POLICY.decide(error(500, Category.SERVER_ERROR, null), 1, 0, Long.MAX_VALUE, true, false).retry);
        assertFalse(POLICY.decide(error(429, Category.RATE_LIMITED, null), 5, 0, Long.MAX_VALUE, true, false).retry);
        assertFalse(POLICY.decide(error(429, Category.RATE_LIMITED, null), 1, 0, Long.MAX_VALUE, false, false).retry);
        RetryPolicy off = new RetryPolicy(false, Set.of(429), 5, 500, 4_000, 10_000, b -> b);
        assertFalse(off.decide(error(429, Category.RATE_LIMITED, null), 1, 0, Long.MAX_VALUE, true, false).retry);
    }

    @Test
    void aGiveUpSettlesTheResponseOnlyWhenAierrOwnedItsRetries() {
        assertTrue(POLICY.decide(error(429, Category.QUOTA_EXCEEDED, null), 1, 0, Long.MAX_VALUE, true, false).settled);
        assertTrue(POLICY.decide(error(503, Category.UNAVAILABLE, null), 5, 0, Long.MAX_VALUE, true, false).settled);
        assertTrue(POLICY.decide(error(429, Category.RATE_LIMITED, new RetryHint(120_000, BackoffSource.RETRY_AFTER)), 1, 0,
                Long.MAX_VALUE, true, false).settled);
        assertFalse(POLICY.decide(error(500, Category.SERVER_ERROR, null), 1, 0, Long.MAX_VALUE, true, false).settled,
                "a status aierr does not retry stays the client's business");
        assertFalse(POLICY.decide(error(429, Category.RATE_LIMITED, null), 1, 0, Long.MAX_VALUE, false, false).settled);
        RetryPolicy off = new RetryPolicy(false, Set.of(429), 5, 500, 4_000, 10_000, b -> b);
        assertFalse(off.decide(error(429, Category.QUOTA_EXCEEDED, null), 1, 0, Long.MAX_VALUE, true, false).settled);
        assertFalse(POLICY.decide(error(429, Category.RATE_LIMITED, null), 1, 0, Long.MAX_VALUE, true, false).settled);
    }

    @Test
    void addingAStatusRetriesIt() {
        RetryPolicy with500 = new RetryPolicy(true, Set.of(429, 500), 5, 500, 4_000, 10_000, b -> b);
        assertTrue(with500.decide(error(500, Category.SERVER_ERROR, null), 1, 0, Long.MAX_VALUE, true, false).retry);
    }

    @Test
    void anIsolatedFailureIsWaitedOutWithTheIsolatedBackoffUndoubled() {
        RetryPolicy policy = POLICY.backingOffIsolatedFrom(50);
        ClassifiedError e = error(450, Category.QUEUE_FULL, null);
        for (int attempt = 1; attempt <= 4; attempt++) {
            assertEquals(50, policy.decide(e, attempt, 0, Long.MAX_VALUE, true, true).delayMillis,
                    "each retry among good answers is a fresh draw, attempt " + attempt);
            assertEquals(500L << (attempt - 1), policy.decide(e, attempt, 0, Long.MAX_VALUE, true, false).delayMillis,
                    "failures that come together wait the full series");
        }
        RetryHint hint = new RetryHint(3_000, BackoffSource.RETRY_AFTER);
        assertEquals(3_000, policy.decide(error(429, Category.RATE_LIMITED, hint), 1, 0, Long.MAX_VALUE, true, true)
                .delayMillis, "a server's hint is its wait, isolated or not");
        assertEquals(500, POLICY.backingOffIsolatedFrom(2_000).decide(e, 1, 0, Long.MAX_VALUE, true, true).delayMillis,
                "never longer than the initial backoff");
    }
}
