package io.aierr.telemetry;

import io.aierr.core.classify.ClassifiedError;

/** How the end of an AI call reads in telemetry; one definition for spans, console and summary. */
final class Outcome {
    private Outcome() {
    }

    /** The app got an error response or an exception. */
    static boolean failed(int status, Throwable failure) {
        return failure != null || status >= 400;
    }

    /**
     * {@code error.type} of the logical call: the exception class when the app got one (semconv),
     * else the final category; null on success.
     */
    static String errorType(int status, ClassifiedError error, Throwable failure) {
        if (failure != null) {
            return failure.getClass().getName();
        }
        if (status >= 400) {
            return error != null ? error.category.id() : Integer.toString(status);
        }
        return null;
    }
}
