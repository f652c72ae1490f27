package io.aierr.core;

import java.io.IOException;

/**
 * What an app's call fails with while aierr's breaker for its endpoint is open. An
 * {@link IOException}, so apps and SDKs handle it like the transport failure it stands for.
 */
public final class CircuitOpenException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ClassifiedError lastError;

    CircuitOpenException(String endpoint, int outages, ClassifiedError lastError, long retryInMillis) {
        super("aierr: circuit open for " + endpoint + " after " + outages + " failed attempts in a row"
                + (lastError == null ? "" : ", last: " + lastError) + "; failing fast for "
                + retryInMillis + "ms more", null);
        this.lastError = lastError;
    }

    public ClassifiedError lastError() {
        return lastError;
    }
}
