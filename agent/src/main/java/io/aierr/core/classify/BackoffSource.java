package io.aierr.core.classify;

/**
 * Where a wait between attempts came from: the value of {@code aierr.backoff.source}. The first
 * group are server hints aierr honored; the rest are aierr's own reasons to wait.
 */
public enum BackoffSource {
    /** {@code retry-after-ms} header (OpenAI, Azure OpenAI). */
    RETRY_AFTER_MS("retry-after-ms"),
    /** {@code x-ms-retry-after-ms} header (Azure). */
    X_MS_RETRY_AFTER_MS("x-ms-retry-after-ms"),
    /** {@code retry-after} header, seconds or HTTP-date. */
    RETRY_AFTER("retry-after"),
    /**
     * The reset of a spent {@code x-ratelimit-*} or {@code anthropic-ratelimit-*} bucket, one the
     * body names, or the daily reset of a spent daily limit.
     */
    RATE_LIMIT_RESET("rate-limit-reset"),
    /** Gemini's {@code RetryInfo.retryDelay} in the body. */
    RETRY_INFO("retry-info"),
    /** A "try again in 2s" phrase in the error message. */
    MESSAGE("message"),
    /** No hint: capped exponential backoff with full jitter. */
    EXPONENTIAL("exponential"),
    /** Another call's hint holds the endpoint until the server's time. */
    HELD("held"),
    /** The endpoint's learned rate spreads the waiting calls: a turn later than any hint. */
    PACED("paced"),
    /** Another JVM sharing the endpoint's limit (the fleet) holds it until the server's time. */
    FLEET("fleet");

    private final String id;

    BackoffSource(String id) {
        this.id = id;
    }

    /** The telemetry and console value. */
    public String id() {
        return id;
    }

    /** True for the server's own instructions, false for aierr's waits. */
    public boolean isServerHint() {
        return ordinal() < EXPONENTIAL.ordinal();
    }

    @Override
    public String toString() {
        return id;
    }
}
