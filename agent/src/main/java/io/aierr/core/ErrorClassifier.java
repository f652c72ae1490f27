package io.aierr.core;

/** Turns an error response into a {@link ClassifiedError}. (Placeholder; being rewritten.) */
public final class ErrorClassifier {
    private ErrorClassifier() {
    }

    public static ClassifiedError classify(String provider, ErrorResponse r) {
        Category c;
        switch (r.status) {
            case 429: c = Category.RATE_LIMITED; break;
            case 450: c = Category.QUEUE_FULL; break;
            case 503: c = Category.UNAVAILABLE; break;
            case 529: c = Category.OVERLOADED; break;
            default: c = Category.UNKNOWN;
        }
        String ra = r.headers.first("retry-after");
        RetryHint hint = null;
        if (ra != null && ra.trim().matches("\\d+")) {
            hint = new RetryHint(Long.parseLong(ra.trim()) * 1000, "retry-after");
        }
        return new ClassifiedError(provider == null ? "unknown" : provider, c, r.status, null, null, null,
                c.retryable(), hint, null);
    }

    public static ClassifiedError classifyFailure(String provider, Throwable failure) {
        return new ClassifiedError(provider, Category.CONNECTION_ERROR, 0, null,
                failure.getClass().getSimpleName(), failure.getMessage(), false, null, null);
    }
}
