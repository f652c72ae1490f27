package io.aierr.core.retry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How every async wait of aierr ends: the action runs after the wait, on the given executor, and no
 * thread is held meanwhile (one JDK timer thread serves them all).
 */
public final class Delayed {
    /** The names of the threads that run what falls due: {@code aierr-due-1}, ... */
    public static final String THREAD_PREFIX = "aierr-due-";
    /** How long an idle one of them waits for more before it ends. */
    static final long IDLE_SECONDS = 5;
    /** Threads that run what falls due, beyond which the timer thread runs it itself. */
    private static final int MOST_THREADS = 32;
    private static final AtomicInteger THREADS_MADE = new AtomicInteger();
    /**
     * Where actions due on the timer run. The JDK's timer is one thread for the whole JVM, and
     * resends run on it (an attempt begun, a request copied, handed to the client) made every later
     * wait late: under 200 async callers on two cores, 5-50 ms hints were waited 270 ms on average,
     * and 34 ms with this pool. Threads are made when actions fall due together and end after a few
     * idle seconds, so a JVM without retries keeps none.
     */
    private static final ThreadPoolExecutor DUE = new ThreadPoolExecutor(0, MOST_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
            new SynchronousQueue<>(), action -> {
                Thread t = new Thread(action, THREAD_PREFIX + THREADS_MADE.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

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
     * Runs {@code action} after {@code millis} off the caller's thread, even when there is no wait:
     * for actions that must not run on the caller's thread (an I/O thread).
     */
    public static void offThread(long millis, Runnable action) {
        CompletableFuture.delayedExecutor(Math.max(0, millis), TimeUnit.MILLISECONDS, DUE).execute(action);
    }
}
