package io.aierr.core;

/** Either "wait this long, then send again" or "give up: the app gets this response". */
public final class RetryDecision {
    public final boolean retry;
    public final long delayMillis;
    /** For a retry: where the delay came from ({@code retry-after}, {@code exponential}...). For a give-up: why. */
    public final String reason;
    /**
     * For a give-up: aierr owned retrying this response (its status is retried, or waiting can never
     * fix it) and has spent or refused its budget, so a client's own retry loop must not send it again.
     * False when aierr leaves the response to the client (status not retried, retries off, body not
     * replayable).
     */
    public final boolean settled;

    private RetryDecision(boolean retry, long delayMillis, String reason, boolean settled) {
        this.retry = retry;
        this.delayMillis = delayMillis;
        this.reason = reason;
        this.settled = settled;
    }

    public static RetryDecision retryAfter(long delayMillis, String source) {
        return new RetryDecision(true, delayMillis, source, false);
    }

    /** aierr does not send it again, and a client may still do as it would without aierr. */
    public static RetryDecision giveUp(String why) {
        return new RetryDecision(false, 0, why, false);
    }

    /** aierr does not send it again, and nobody should: see {@link #settled}. */
    public static RetryDecision settle(String why) {
        return new RetryDecision(false, 0, why, true);
    }

    @Override
    public String toString() {
        return retry ? "retry in " + delayMillis + "ms (" + reason + ")" : (settled ? "settle (" : "give up (") + reason + ")";
    }
}
