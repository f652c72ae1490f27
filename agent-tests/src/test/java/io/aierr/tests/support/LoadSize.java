package io.aierr.tests.support;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How big the load, soak and fault runs are: {@code ci} (the default, a few minutes for the whole
 * suite on 2 cores) or {@code full} ({@code -Dload.size=full}: bench/load.sh runs the same tests).
 * At ci size the load covers every client family; the soak and the fault rows that cost a forked
 * JVM per family cover a sample of them (one JDK, one OkHttp, one Apache; sync and async). Figures
 * go to the file named by {@code load.report}, one table row per run. Which JDK each run uses:
 * {@link #jdk}.
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

    /**
     * The JDK a run of {@code family} uses: the home of a JDK 25, or empty for the JDK running the
     * tests (17 in CI). {@code -Dload.jdk=rotate}, the default, shares the families out between the
     * two at no extra run: the load runs every other family on JDK 25 (jdk-async, okhttp-async, hc5),
     * and a sampled row (the soak, the faults) runs its family on the other JDK than its load did, so
     * that each sampled family meets both. {@code own} runs everything on the tests' JDK, {@code 25}
     * everything on JDK 25. Without a JDK 25 on the machine, {@code rotate} keeps every run on the
     * tests' JDK and {@code 25} skips.
     *
     * @param sampledRow whether the run is a soak or fault row rather than the load
     */
    public static Optional<Path> jdk(ClientFamilies family, boolean sampledRow) {
        String choice = System.getProperty("load.jdk", "rotate");
        Optional<Path> jdk25 = ForkedJvm.jdk25();
        switch (choice) {
            case "own":
                return Optional.empty();
            case "25":
                Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
                return jdk25;
            case "rotate":
                boolean loadOn25 = family.ordinal() % 2 == 1;
                return loadOn25 != sampledRow ? jdk25 : Optional.empty();
            default:
                throw new IllegalArgumentException("load.jdk=" + choice + ": rotate, own or 25");
        }
    }

    /** The JVM on {@link #jdk}'s choice. */
    public static ForkedJvm onJdk(ForkedJvm jvm, ClientFamilies family, boolean sampledRow) {
        jdk(family, sampledRow).ifPresent(jvm::javaHome);
        return jvm;
    }

    /** The run's JDK for a report line: {@code 25}, or the tests' own version. */
    public static String jdkName(ClientFamilies family, boolean sampledRow) {
        return jdk(family, sampledRow).isPresent() ? "25" : System.getProperty("java.specification.version");
    }
}
