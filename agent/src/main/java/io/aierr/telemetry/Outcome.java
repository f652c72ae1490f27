package io.aierr.telemetry;

import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.ErrorClassifier;

/** How the end of an AI call reads in telemetry; one definition for spans, console and summary. */
final class Outcome {
    private Outcome() {
    }

    /**
     * The app got an error response or an exception, or a success whose stream ended in an error
     * ({@code error} with a status below 400: an in-band error or a content filter).
     */
    static boolean failed(int status, ClassifiedError error, Throwable failure) {
        return failure != null || status >= 400 || error != null;
    }

    /**
     * {@code error.type} of the logical call (the GenAI client span): the final category, one of the
     * documented {@link Category} ids, whether the app got an error response or an exception (a
     * refused connection is {@code connection_error}, a timeout {@code timeout}); null on success.
     * Attempt spans keep HTTP semconv (the status code, or the exception class).
     */
    static String errorType(int status, ClassifiedError error, Throwable failure) {
        if (!failed(status, error, failure)) {
            return null;
        }
        if (error != null) {
            return error.category.id();
        }
        if (failure != null && !isStop(failure)) {
            return ErrorClassifier.classifyFailure(null, failure).category.id();
        }
        return Category.UNKNOWN.id();
    }

    /** Cancelled or interrupted by the app: not a transport failure, and no response to classify. */
    private static boolean isStop(Throwable failure) {
        return failure instanceof java.util.concurrent.CancellationException || failure instanceof InterruptedException;
    }
}
