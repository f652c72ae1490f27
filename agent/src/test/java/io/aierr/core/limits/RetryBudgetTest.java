package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBudgetTest {
    private static final long S = 1_000_000_000L;

    private static int retriesAllowed(RetryBudget budget, long now, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (budget.tryRetry(now)) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void retriesStayWithinTheShareOfCallsPlusASmallAllowance() {
        RetryBudget budget = new RetryBudget(0.2);
        long now = 100 * S;
        for (int i = 0; i < 100; i++) {
            budget.callStarted(now);
        }
        assertEquals(10 + 20, retriesAllowed(budget, now, 1000));
    }

    @Test
    void theFleetsCallsAndRetriesShareOneBudget() {
        FleetView view = new FleetView("host:443", "sk-key", new java.util.concurrent.atomic.AtomicInteger());
        RetryBudget budget = new RetryBudget(0.2, view);
        long now = 100 * S;
        for (int i = 0; i < 100; i++) {
            budget.callStarted(now);
        }
        assertEquals(100, view.calls(), "told to the fleet");
        view.heard(now, 0.5, 0, 0, 100, 25, 0, 0, 0, 0);
        // 200 calls in the fleet allow 10 + 40 retries, of which the others took 25
        assertEquals(25, retriesAllowed(budget, now, 1000));
        assertEquals(25, view.retries());
        view.alone();
        assertEquals(10 + 20 - 25, retriesAllowed(budget, now, 1000), "alone again: this JVM's own budget");
    }

    @Test
    void theWindowSlides() {
        RetryBudget budget = new RetryBudget(0.2);
        long now = 100 * S;
        assertEquals(10, retriesAllowed(budget, now, 50));
        assertEquals(0, retriesAllowed(budget, now + 5 * S, 50), "still inside the 10 s window");
        assertEquals(10, retriesAllowed(budget, now + 11 * S, 50), "the old retries fell out");
    }

    @Test
    void callsCountedWithoutTheLockAreNeverLost() throws InterruptedException {
        FleetView view = new FleetView("host:443", "sk-key", new java.util.concurrent.atomic.AtomicInteger());
        RetryBudget budget = new RetryBudget(0.2, view);
        int threads = 8;
        int perThread = 20_000;
        Thread[] callers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            callers[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    // every caller crosses the same slot boundaries, in a slightly different order
                    budget.callStarted(100 * S + i * (S / 10_000) + (i % 3) * (S / 1_000));
                }
            });
            callers[t].start();
        }
        for (Thread caller : callers) {
            caller.join();
        }
        budget.tryRetry(100 * S + 2 * S + S / 2); // the last slot: told to the fleet with the count
        assertEquals(threads * perThread, view.calls(), "2.x s of calls, all inside the 10 s window");
    }

    @Test
    void offMeansUnlimited() {
        RetryBudget budget = new RetryBudget(-1);
        assertTrue(retriesAllowed(budget, 5 * S, 500) == 500);
    }
}
