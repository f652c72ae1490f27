package io.aierr.core.classify;

/** The decoded meaning of one error response. Immutable. */
public final class ClassifiedError {
    public final String provider;
    public final Category category;
    public final int status;
    /** Provider's error code ({@code rate_limit_exceeded}, {@code 429}, {@code Throttling}...), or null. */
    public final String code;
    /** Provider's error type ({@code requests}, {@code overloaded_error}, {@code RESOURCE_EXHAUSTED}...), or null. */
    public final String type;
    public final String message;
    /** Whether waiting and sending the same request again can succeed. */
    public final boolean retryable;
    /** The server's wait hint, or null when it gave none. */
    public final RetryHint retryHint;
    /** What the user should do about it. */
    public final String solution;

    public ClassifiedError(String provider, Category category, int status, String code, String type,
                           String message, boolean retryable, RetryHint retryHint, String solution) {
        this.provider = provider;
        this.category = category;
        this.status = status;
        this.code = code;
        this.type = type;
        this.message = message;
        this.retryable = retryable;
        this.retryHint = retryHint;
        this.solution = solution;
    }

    public Long retryAfterMillis() {
        return retryHint == null ? null : retryHint.delayMillis;
    }

    @Override
    public String toString() {
        return provider + " " + status + " " + category.id() + (code == null ? "" : " (" + code + ")")
                + (message == null ? "" : ": " + message);
    }
}
