package io.aierr.telemetry;

import io.aierr.core.CallInfo;
import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.Telemetry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Counts AI calls, errors, retries and waits for the one-line summary at exit. Counting is a few
 * uncontended adds, so it runs whatever the exporter; all calls share one stateless observer.
 */
final class CallStats implements Telemetry {
    private final Consumer<String> out;
    /** What the exporter lost, appended to the summary (empty when nothing). */
    private final Supplier<String> exportNote;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder backoffMillis = new LongAdder();
    private final LongAdder[] errors = new LongAdder[Category.values().length];
    private final CallObserver counter = new Counter();

    CallStats(Consumer<String> out, Supplier<String> exportNote) {
        this.out = out;
        this.exportNote = exportNote;
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        calls.increment();
        return counter;
    }

    /** Says nothing when the app made no AI call: a line of zeros in every JVM the agent rides along is noise. */
    @Override
    public void shutdown() {
        if (calls.sum() > 0) {
            out.accept(summary());
        }
    }

    /**
     * e.g. {@code aierr summary: 3 AI calls (1 failed), 4 errors (rate_limited 3, unavailable 1), 3 retries,
     * 2300ms total backoff}, then what the exporter lost, if anything. Categories go from the most
     * frequent down (equal counts in the categories' own order).
     */
    String summary() {
        long[] counts = new long[errors.length];
        List<Category> seen = new ArrayList<>();
        long errorCount = 0;
        for (Category c : Category.values()) {
            counts[c.ordinal()] = errors[c.ordinal()].sum();
            if (counts[c.ordinal()] > 0) {
                seen.add(c);
                errorCount += counts[c.ordinal()];
            }
        }
        seen.sort(Comparator.comparingLong((Category c) -> counts[c.ordinal()]).reversed());
        StringBuilder byCategory = new StringBuilder();
        for (Category c : seen) {
            byCategory.append(byCategory.length() == 0 ? " (" : ", ").append(c.id()).append(' ')
                    .append(counts[c.ordinal()]);
        }
        if (byCategory.length() > 0) {
            byCategory.append(')');
        }
        long failed = failedCalls.sum();
        return "aierr summary: " + plural(calls.sum(), "AI call") + (failed > 0 ? " (" + failed + " failed)" : "")
                + ", " + plural(errorCount, "error") + byCategory
                + ", " + plural(retries.sum(), "retry", "retries")
                + ", " + backoffMillis.sum() + "ms total backoff" + exportNote.get();
    }

    private static String plural(long n, String one) {
        return plural(n, one, one + "s");
    }

    private static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private final class Counter implements CallObserver {
        @Override
        public void attemptResponded(int attempt, int status, ClassifiedError error) {
            count(error);
        }

        @Override
        public void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
            count(error);
        }

        @Override
        public void inBandError(ClassifiedError error) {
            count(error);
        }

        @Override
        public void backoff(int nextAttempt, long delayMillis, BackoffSource source, String stretched) {
            if (nextAttempt > 1) {
                retries.increment();
            }
            backoffMillis.add(delayMillis);
        }

        @Override
        public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure,
                              String giveUpReason) {
            if (Outcome.failed(status, error, failure)) {
                failedCalls.increment();
            }
        }

        private void count(ClassifiedError error) {
            if (error != null) {
                errors[error.category.ordinal()].increment();
            }
        }
    }
}
