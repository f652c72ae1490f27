package io.aierr.core.retry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * How every async wait of aierr ends: the action runs after the wait, on the given executor, and no
 * thread is held meanwhile (one JDK timer thread serves them all).
 */
public final class Delayed {
    private Delayed() {
    }

    /** Runs {@code action} after {@code millis} on {@code executor}; at once, on this thread, when there is no wait. */
    public static void run(long millis, Executor executor, Runnable action) {
        if (millis <= 0) {
            action.run();
        } else {
            CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS, executor).execute(action);
        }
    }

    /**
     * Runs {@code action} on the timer thread after {@code millis}, even when there is no wait: for
     * actions that only hand work on, and must not run on the caller's thread (an I/O thread).
     */
    public static void onTimer(long millis, Runnable action) {
        CompletableFuture.delayedExecutor(Math.max(0, millis), TimeUnit.MILLISECONDS, Runnable::run).execute(action);
    }
}
