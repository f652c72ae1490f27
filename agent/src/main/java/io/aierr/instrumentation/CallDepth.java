package io.aierr.instrumentation;

/**
 * Marks the thread while an adapter sends an attempt through the client's own public method, so
 * the hook on that method lets the inner call through instead of intercepting it again.
 */
public final class CallDepth {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private CallDepth() {
    }

    public static boolean inside() {
        return DEPTH.get()[0] > 0;
    }

    /** Runs {@code action} marked as the agent's own call. */
    public static <T, E extends Throwable> T asAgent(Action<T, E> action) throws E {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            return action.run();
        } finally {
            depth[0]--;
        }
    }

    /** A call that may throw a checked exception. */
    public interface Action<T, E extends Throwable> {
        T run() throws E;
    }
}
