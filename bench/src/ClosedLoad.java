import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed loop of {@code callers} x {@code calls} back to back, all released at one instant: a
 * worker pool draining a queue. A sync family runs it on one thread per caller; an async one as
 * chains, each call started by the completion of the previous one, so no thread waits for an
 * answer. No caller starts a call after the deadline; calls still in flight a grace period
 * later are left out and counted as unfinished.
 */
final class ClosedLoad {
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Numbers the calls so the server can tell a call's first attempt from its retries. */
    private static final AtomicLong CALL_IDS = new AtomicLong();

    /** What the app saw of one call. {@code outcome}: {@link BenchClient.Answer#outcome()} or an exception's simple name. */
    record Call(long id, String phase, long latencyNanos, String outcome, String refused) {
    }

    /** All the calls that ended, from the release to the last answer. */
    record Result(List<Call> calls, long startNanos, long endNanos, int planned) {
        int unfinished() {
            return planned - calls.size();
        }
    }

    /** What one call sends: its body (a prompt of its own) and the headers the server logs. */
    interface Requests {
        String body(long call);

        default Map<String, String> headers(long call, String phase) {
            return Map.of("x-bench-call", Long.toString(call), "x-bench-phase", phase);
        }
    }

    private final BenchClient client;
    private final int callers;
    private final int calls;
    private final Requests requests;
    private final Queue<Call> done = new ConcurrentLinkedQueue<>();
    private volatile long lastAnswer;

    ClosedLoad(BenchClient client, int callers, int calls, Requests requests) {
        this.client = client;
        this.callers = callers;
        this.calls = calls;
        this.requests = requests;
    }

    /** Opens as many connections as calls will be in flight and warms the code path, outside the load. */
    static void warmUp(BenchClient client, int concurrency, int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (Future<Void> worker : startTogether(pool, concurrency, () -> {
            for (int i = 0; i < rounds; i++) {
                client.warmUp().get();
            }
            return null;
        })) {
            worker.get();
        }
        pool.shutdown();
    }

    /** Runs {@code n} copies of {@code task} on their own threads, released at one instant once all are ready. */
    private static List<Future<Void>> startTogether(ExecutorService pool, int n, Callable<Void> task)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Void>> futures = new ArrayList<>();
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

    Result run(long deadlineSeconds) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        lastAnswer = start;
        if (client.async()) {
            CountDownLatch chains = new CountDownLatch(callers);
            for (int i = 0; i < callers; i++) {
                next(0, deadline, chains);
            }
            chains.await(deadline + GRACE_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            startTogether(pool, callers, () -> {
                for (int i = 0; i < calls && System.nanoTime() < deadline; i++) {
                    long id = CALL_IDS.incrementAndGet();
                    String phase = phase(i);
                    long sent = System.nanoTime();
                    start(id, phase).handle((a, e) -> ended(id, phase, sent, a, e)).join();
                }
                return null;
            });
            pool.shutdown();
            pool.awaitTermination(deadline + GRACE_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        return new Result(new ArrayList<>(done), start, lastAnswer, callers * calls);
    }

    /** Starts a chain's call {@code i}, and from its answer the next one. */
    private void next(int i, long deadline, CountDownLatch chains) {
        if (i == calls || System.nanoTime() >= deadline) {
            chains.countDown();
            return;
        }
        long id = CALL_IDS.incrementAndGet();
        long sent = System.nanoTime();
        start(id, phase(i)).whenComplete((a, e) -> {
            ended(id, phase(i), sent, a, e);
            next(i + 1, deadline, chains);
        });
    }

    private CompletableFuture<BenchClient.Answer> start(long id, String phase) {
        try {
            return client.chat(requests.body(id), requests.headers(id, phase));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Void ended(long id, String phase, long sent, BenchClient.Answer answer, Throwable failure) {
        long now = System.nanoTime();
        synchronized (this) {
            lastAnswer = Math.max(lastAnswer, now);
        }
        if (answer != null) {
            done.add(new Call(id, phase, now - sent, answer.outcome(), answer.refused()));
        } else {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            done.add(new Call(id, phase, now - sent, cause.getClass().getSimpleName(), null));
        }
        return null;
    }

    private static String phase(int i) {
        return i == 0 ? "first" : "steady";
    }
}
