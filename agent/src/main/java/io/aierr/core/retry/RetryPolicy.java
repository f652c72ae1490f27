package io.aierr.core.retry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.RetryHint;

import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * When to send a failed AI call again and how long to wait first. Immutable; {@link #decide} is a
 * pure function of its arguments and the jitter source.
 */
public final class RetryPolicy {
    public final boolean enabled;
    public final Set<Integer> statuses;
    public final int maxAttempts;
    public final long initialBackoffMillis;
    public final long maxBackoffMillis;
    public final long maxWaitMillis;
    /**
     * {@code aierr.retry.isolated-backoff}: the wait, with full jitter, when the server gives no hint
     * and the failure is isolated (the endpoint's recent answers are mostly good). It does not double:
     * each retry among good answers is a fresh draw of the endpoint's instances, and failures that
     * come together are no longer isolated, so they back off in full.
     */
    public final long isolatedBackoffMillis;
    /**
     * {@code aierr.stream.first-event-wait}: how long a replayable call's event stream is held for its
     * first event, so that an in-band error there is retried before the app sees it; 0 when streams are never held.
     */
    public final long firstEventWaitMillis;
    /** Draws a uniform value in [0, bound]; full jitter spreads callers that failed together. */
    private final LongUnaryOperator jitter;

    public RetryPolicy(boolean enabled, Set<Integer> statuses, int maxAttempts, long initialBackoffMillis,
                       long maxBackoffMillis, long maxWaitMillis, LongUnaryOperator jitter) {
        this(enabled, statuses, maxAttempts, initialBackoffMillis, maxBackoffMillis, maxWaitMillis, 0,
                initialBackoffMillis, jitter);
    }

    private RetryPolicy(boolean enabled, Set<Integer> statuses, int maxAttempts, long initialBackoffMillis,
                        long maxBackoffMillis, long maxWaitMillis, long firstEventWaitMillis,
                        long isolatedBackoffMillis, LongUnaryOperator jitter) {
        this.enabled = enabled;
        this.isolatedBackoffMillis = isolatedBackoffMillis;
        this.firstEventWaitMillis = firstEventWaitMillis;
        this.statuses = statuses;
        this.maxAttempts = maxAttempts;
        this.initialBackoffMillis = initialBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
        this.maxWaitMillis = maxWaitMillis;
        this.jitter = jitter;
    }

    /** The same policy, holding event streams for their first event this long (0: never). */
    public RetryPolicy holdingFirstEvent(long waitMillis) {
        return new RetryPolicy(enabled, statuses, maxAttempts, initialBackoffMillis, maxBackoffMillis, maxWaitMillis,
                Math.max(0, waitMillis), isolatedBackoffMillis, jitter);
    }

    /**
     * The same policy, waiting out an isolated unhinted failure with this (at most the initial
     * backoff): an instance that failed alone is most likely followed by one that answers.
     */
    public RetryPolicy backingOffIsolatedFrom(long millis) {
        return new RetryPolicy(enabled, statuses, maxAttempts, initialBackoffMillis, maxBackoffMillis, maxWaitMillis,
                firstEventWaitMillis, Math.max(0, Math.min(millis, initialBackoffMillis)), jitter);
    }

    /** Draws uniform jitter in [0, bound] from the thread's own random source. */
    public static final LongUnaryOperator FULL_JITTER =
            bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);

    /**
     * @param error          the classified response of the attempt that just failed
     * @param attemptsMade   attempts sent so far, this one included
     * @param waitedMillis   time already spent waiting between attempts of this call
     * @param deadlineMillis time left before the request's own timeout, or {@code Long.MAX_VALUE}
     * @param replayable     whether the request body can be sent again
     * @param isolated       whether the endpoint's recent answers are mostly good, so an unhinted
     *                       failure is waited out from the isolated backoff instead of the initial one
     */
    public RetryDecision decide(ClassifiedError error, int attemptsMade, long waitedMillis,
                                long deadlineMillis, boolean replayable, boolean isolated) {
        if (enabled && !error.category.neverRetried() && !statuses.contains(error.status)) {
            return RetryDecision.giveUp("status " + error.status + " is not retried");
        }
        return decideRetryable(error, attemptsMade, waitedMillis, deadlineMillis, replayable, isolated);
    }

    /**
     * The same for an error a stream's first event carries inside a {@code 200}: retried as its status
     * would be when it names one ({@code "code": 429}), else when its category is one waiting can fix
     * (overloaded, rate limited, unavailable, queue full).
     */
    public RetryDecision decideFirstEvent(ClassifiedError error, int attemptsMade, long waitedMillis,
                                         long deadlineMillis, boolean replayable, boolean isolated) {
        boolean retried = error.status >= 400 ? statuses.contains(error.status) : error.category.retryable();
        if (enabled && !error.category.neverRetried() && !retried) {
            return RetryDecision.giveUp(error.category.id() + " in a stream is not retried");
        }
        return decideRetryable(error, attemptsMade, waitedMillis, deadlineMillis, replayable, isolated);
    }

    private RetryDecision decideRetryable(ClassifiedError error, int attemptsMade, long waitedMillis,
                                          long deadlineMillis, boolean replayable, boolean isolated) {
        if (!enabled) {
            return RetryDecision.giveUp("retries disabled");
        }
        if (error.category.neverRetried()) {
            return RetryDecision.settle(error.category.id() + " is never retried");
        }
        if (!replayable) {
            return RetryDecision.giveUp("request body cannot be replayed");
        }
        if (attemptsMade >= maxAttempts) {
            return RetryDecision.settle("max-attempts " + maxAttempts + " reached");
        }
        long remaining = Math.min(maxWaitMillis - waitedMillis, deadlineMillis);
        RetryHint hint = error.retryHint;
        if (hint != null) {
            if (hint.delayMillis > remaining) {
                return RetryDecision.settle("server asks to wait " + hint.delayMillis + "ms, more than the "
                        + Math.max(0, remaining) + "ms left of max-wait");
            }
            return RetryDecision.retryAfter(hint.delayMillis, hint.source);
        }
        long bound = isolated ? isolatedBackoffMillis : exponentialCap(initialBackoffMillis, attemptsMade);
        long delay = Math.min(jitter.applyAsLong(bound), remaining);
        if (remaining <= 0) {
            return RetryDecision.settle("max-wait spent");
        }
        return RetryDecision.retryAfter(delay, BackoffSource.EXPONENTIAL);
    }

    /** first * 2^(n-1), capped at max-backoff, without overflow. */
    long exponentialCap(long first, int attemptsMade) {
        int shift = Math.min(Math.max(attemptsMade - 1, 0), 30);
        long base = first << shift;
        if (base < 0 || (shift > 0 && base >> shift != first)) {
            return maxBackoffMillis;
        }
        return Math.min(base, maxBackoffMillis);
    }
}
