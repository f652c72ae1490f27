package io.aierr.core.retry;

import io.aierr.core.classify.BackoffSource;

/** Either "wait this long, then send again" or "give up: the app gets this response". */
public final class RetryDecision {
    public final boolean retry;
    public final long delayMillis;
    /** For a retry: what set the wait. Null for a give-up. */
    public final BackoffSource source;
    /** For a retry the gate held or paced: the call's own wait it stretched ({@code retry-after-ms 1ms}); else null. */
    public final String stretched;
    /** For a give-up: why. Null for a retry. */
    public final String reason;
    /**
     * For a give-up: aierr owned retrying this response (its status is retried, or waiting can never
     * fix it) and has spent or refused its attempts, so a client's own retry loop must not send it again.
     * False when aierr leaves the response to the client (status not retried, retries off, body not
     * replayable, body broken mid-way).
     */
    public final boolean settled;

    private RetryDecision(boolean retry, long delayMillis, BackoffSource source, String stretched, String reason,
                          boolean settled) {
        this.retry = retry;
        this.delayMillis = delayMillis;
        this.source = source;
        this.stretched = stretched;
        this.reason = reason;
        this.settled = settled;
    }

    public static RetryDecision retryAfter(long delayMillis, BackoffSource source) {
        return new RetryDecision(true, delayMillis, source, null, null, false);
    }

    /** A retry later than the call's own wait, because the endpoint's gate held or paced it. */
    static RetryDecision stretched(RetryDecision own, long delayMillis, BackoffSource source) {
        return new RetryDecision(true, delayMillis, source, own.source.id() + " " + own.delayMillis + "ms", null,
                false);
    }

    /** aierr does not send it again, and a client may still do as it would without aierr. */
    public static RetryDecision giveUp(String why) {
        return new RetryDecision(false, 0, null, null, why, false);
    }

    /** aierr does not send it again, and nobody should: see {@link #settled}. */
    public static RetryDecision settle(String why) {
        return new RetryDecision(false, 0, null, null, why, true);
    }

    @Override
    public String toString() {
        if (retry) {
            return "retry in " + delayMillis + "ms (" + source.id() + (stretched == null ? "" : ", " + stretched) + ")";
        }
        return (settled ? "settle (" : "give up (") + reason + ")";
    }
}
