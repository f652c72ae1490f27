import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** How the benchmark app's calls arrive: which threads call when. */
abstract class LoadShape {
    /**
     * Numbers the app's calls so the server can tell a call's first attempt from its retries; the JVMs
     * of one fleet (FleetLoad) start from apart ({@code -Dbench.call-ids-from}).
     */
    private static final AtomicLong CALL_IDS = new AtomicLong(Long.getLong("bench.call-ids-from", 0));

    /** What the app saw of one call: its {@code x-bench-phase}, how long it took, how it ended. */
    record CallRecord(String phase, long latencyNanos, String outcome) {
    }

    /** The most calls in flight at once: warm-up opens that many connections. */
    abstract int concurrency();

    /** The phase of the calls the app starts at the opening instant: their first attempts are the first wave. */
    abstract String openingPhase();

    /** Whether calls of this phase saturate the limit: the last success among them ends the goodput window. */
    abstract boolean saturates(String phase);

    abstract List<CallRecord> run(ChatCaller caller) throws Exception;

    /**
     * T threads, M calls each back to back, all starting at one instant: the closed loop of a
     * worker pool draining a queue. Every thread's first call (phase {@code first}) lands at once
     * on a bucket of B; the others are {@code steady}.
     */
    static final class ClosedLoop extends LoadShape {
        /** What the i-th call of a thread asks for: the same call slot asks the same in every row. */
        interface Asks {
            ChatCaller.Ask ask(int thread, int call);
        }

        private final int threads;
        private final int calls;
        private final Asks asks;

        ClosedLoop(int threads, int calls) {
            this(threads, calls, (thread, call) -> ChatCaller.Ask.HI);
        }

        ClosedLoop(int threads, int calls, Asks asks) {
            this.threads = threads;
            this.calls = calls;
            this.asks = asks;
        }

        @Override
        int concurrency() {
            return threads;
        }

        @Override
        String openingPhase() {
            return "first";
        }

        @Override
        boolean saturates(String phase) {
            return true;
        }

        @Override
        List<CallRecord> run(ChatCaller caller) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger threadNumbers = new AtomicInteger();
            List<Future<List<CallRecord>>> workers = startTogether(pool, threads, () -> {
                int thread = threadNumbers.getAndIncrement();
                List<CallRecord> mine = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    mine.add(timed(caller, i == 0 ? "first" : "steady", asks.ask(thread, i)));
                }
                return mine;
            });
            List<CallRecord> all = new ArrayList<>();
            for (Future<List<CallRecord>> worker : workers) {
                all.addAll(worker.get());
            }
            pool.shutdown();
            return all;
        }
    }

    /**
     * A burst of calls all at once (a batch or fan-out landing), on top of an open-loop trickle
     * at a fixed rate below the limit that starts with it (interactive traffic): each trickle call
     * is sent on schedule, however slow the earlier ones are.
     */
    static final class BurstThenTrickle extends LoadShape {
        private final int burst;
        private final double tricklePerSecond;
        private final int trickleCalls;

        BurstThenTrickle(int burst, double tricklePerSecond, double trickleSeconds) {
            this.burst = burst;
            this.tricklePerSecond = tricklePerSecond;
            this.trickleCalls = (int) Math.round(tricklePerSecond * trickleSeconds);
        }

        @Override
        int concurrency() {
            return burst;
        }

        @Override
        String openingPhase() {
            return "burst";
        }

        @Override
        boolean saturates(String phase) {
            return phase.equals("burst");
        }

        @Override
        List<CallRecord> run(ChatCaller caller) throws Exception {
            ExecutorService pool = Executors.newCachedThreadPool();
            List<Future<List<CallRecord>>> calls = new ArrayList<>(
                    startTogether(pool, burst, () -> List.of(timed(caller, "burst", ChatCaller.Ask.HI))));
            long start = System.nanoTime();
            for (int i = 1; i <= trickleCalls; i++) {
                long due = start + (long) (i * 1e9 / tricklePerSecond);
                TimeUnit.NANOSECONDS.sleep(due - System.nanoTime());
                calls.add(pool.submit(() -> List.of(timed(caller, "trickle", ChatCaller.Ask.HI))));
            }
            List<CallRecord> all = new ArrayList<>();
            for (Future<List<CallRecord>> call : calls) {
                all.addAll(call.get());
            }
            pool.shutdown();
            return all;
        }
    }

    /** Runs {@code n} copies of {@code task} on their own threads, released at one instant once all are ready. */
    static <T> List<Future<T>> startTogether(ExecutorService pool, int n, Callable<T> task) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return task.call();
            }));
        }
        ready.await();
        go.countDown();
        return futures;
    }

    static CallRecord timed(ChatCaller caller, String phase, ChatCaller.Ask ask) {
        Map<String, String> benchHeaders = Map.of("x-bench-phase", phase,
                "x-bench-call", Long.toString(CALL_IDS.incrementAndGet()));
        long start = System.nanoTime();
        String outcome;
        try {
            outcome = caller.chat(benchHeaders, ask);
        } catch (Exception e) {
            outcome = e.getClass().getSimpleName();
        }
        return new CallRecord(phase, System.nanoTime() - start, outcome);
    }
}
