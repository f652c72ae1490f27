package io.aierr.tests.support;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How big the load, soak and fault runs are: {@code ci} (the default, a few minutes for the whole
 * suite on 2 cores) or {@code full} ({@code -Dload.size=full}: bench/load.sh runs the same tests).
 * At ci size the load covers every client family; the soak and the fault rows that cost a forked
 * JVM per family cover a sample of them (one JDK, one OkHttp, one Apache; sync and async). Figures
 * go to the file named by {@code load.report}, one table row per run.
 */
public enum LoadSize {
    CI(16, 10, 20, 1_100, 300,
            EnumSet.of(ClientFamilies.JDK_ASYNC, ClientFamilies.OKHTTP, ClientFamilies.HC4)),
    FULL(200, 500, 20, 10_000, 3_600, EnumSet.allOf(ClientFamilies.class));

    /** Load: callers at once, calls each. */
    public final int threads;
    public final int calls;
    /** Soak: callers at once, calls in all (also the number of API keys they take turns with). */
    public final int soakThreads;
    public final int soakCalls;
    /** Hang guard for one forked JVM. */
    public final long timeoutSeconds;
    private final Set<ClientFamilies> sampled;

    LoadSize(int threads, int calls, int soakThreads, int soakCalls, long timeoutSeconds, Set<ClientFamilies> sampled) {
        this.threads = threads;
        this.calls = calls;
        this.soakThreads = soakThreads;
        this.soakCalls = soakCalls;
        this.timeoutSeconds = timeoutSeconds;
        this.sampled = sampled;
    }

    public static LoadSize current() {
        return "full".equalsIgnoreCase(System.getProperty("load.size", "ci")) ? FULL : CI;
    }

    /** Whether the family runs in every test: {@code -Dload.clients=jdk,hc5} picks some (all by default). */
    public static boolean includes(ClientFamilies family) {
        String only = System.getProperty("load.clients", "");
        return only.isBlank() || List.of(only.split(",")).contains(family.option);
    }

    /** Whether the family runs in the tests that, at this size, sample the families. */
    public boolean samples(ClientFamilies family) {
        return includes(family) && sampled.contains(family);
    }
}
