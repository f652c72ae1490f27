package io.aierr.instrumentation.apache;

import java.io.InterruptedIOException;

/** What the classic 4.5 and 5.x exchanges share: how they wait between attempts. */
public final class ClassicAttempts {
    private ClassicAttempts() {
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
