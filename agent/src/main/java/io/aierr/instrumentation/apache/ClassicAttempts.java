package io.aierr.instrumentation.apache;

import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.BlockingRetries;

import java.io.InterruptedIOException;

/** What the classic 4.5 and 5.x helpers share around the core's blocking loop. */
public final class ClassicAttempts {
    private ClassicAttempts() {
    }

    /** Runs the call's attempts; returns the hook's outcome {@code {response, throwable}}. */
    public static Object[] run(AiCall call, BlockingRetries.Exchange<?, ?> exchange) {
        try {
            return new Object[] {BlockingRetries.run(call, exchange), null};
        } catch (Exception | Error e) {
            return new Object[] {null, e};
        }
    }

    /**
     * Waits between attempts. Interrupted, it does as HttpClient's own retry execs do (5.x
     * HttpRequestRetryExec, 4.5 ServiceUnavailableRetryExec): keeps the flag set and throws
     * {@code InterruptedIOException}.
     */
    public static void pause(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }
}
