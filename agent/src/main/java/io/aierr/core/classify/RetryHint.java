package io.aierr.core.classify;

/** A server's instruction how long to wait before trying again, and where it came from. */
public final class RetryHint {
    public final long delayMillis;
    /** Where the server said it; one of the server-hint {@link BackoffSource}s. */
    public final BackoffSource source;

    public RetryHint(long delayMillis, BackoffSource source) {
        this.delayMillis = Math.max(0, delayMillis);
        this.source = source;
    }

    @Override
    public String toString() {
        return delayMillis + "ms (" + source + ")";
    }
}
