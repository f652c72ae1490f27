package io.aierr.core;

/** Either "wait this long, then send again" or "give up: the app gets this response". */
public final class RetryDecision {
    public final boolean retry;
    public final long delayMillis;
    /** For a retry: where the delay came from ({@code retry-after}, {@code exponential}...). For a give-up: why. */
    public final String reason;

    private RetryDecision(boolean retry, long delayMillis, String reason) {
        this.retry = retry;
        this.delayMillis = delayMillis;
        this.reason = reason;
    }

    public static RetryDecision retryAfter(long delayMillis, String source) {
        return new RetryDecision(true, delayMillis, source);
    }

    public static RetryDecision giveUp(String why) {
        return new RetryDecision(false, 0, why);
    }

    @Override
    public String toString() {
        return retry ? "retry in " + delayMillis + "ms (" + reason + ")" : "give up (" + reason + ")";
    }
}
