package io.aierr.tests.support;

/**
 * How big the load and soak runs are: {@code ci} (the default, minutes for the whole suite on 2
 * cores) or {@code full} ({@code -Dload.size=full}, as bench/load.sh runs the same tests). Figures
 * go to the file named by {@code load.report}, one table row per run.
 */
public enum LoadSize {
    CI(16, 25, 10, 1_500, 300),
    FULL(200, 500, 20, 10_000, 3_600);

    /** Load: callers at once, calls each. */
    public final int threads;
    public final int calls;
    /** Soak: callers at once, calls in all. */
    public final int soakThreads;
    public final int soakCalls;
    /** Hang guard for one forked JVM. */
    public final long timeoutSeconds;

    LoadSize(int threads, int calls, int soakThreads, int soakCalls, long timeoutSeconds) {
        this.threads = threads;
        this.calls = calls;
        this.soakThreads = soakThreads;
        this.soakCalls = soakCalls;
        this.timeoutSeconds = timeoutSeconds;
    }

    public static LoadSize current() {
        return "full".equalsIgnoreCase(System.getProperty("load.size", "ci")) ? FULL : CI;
    }
}
