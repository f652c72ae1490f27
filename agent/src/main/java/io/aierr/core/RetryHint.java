package io.aierr.core;

/** A server's instruction how long to wait before trying again, and where it came from. */
public final class RetryHint {
    public final long delayMillis;
    /** Telemetry value of {@code aierr.backoff.source}: retry-after-ms, retry-after, rate-limit-reset, retry-info. */
    public final String source;

    public RetryHint(long delayMillis, String source) {
        this.delayMillis = Math.max(0, delayMillis);
        this.source = source;
    }

    @Override
    public String toString() {
        return delayMillis + "ms (" + source + ")";
    }
}
