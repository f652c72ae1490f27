package io.aierr.core.limits;

/**
 * Caps retries of failing endpoints so an outage does not multiply the load on it: over a
 * sliding window, retries may be at most {@code ratio} of the calls, plus a small allowance so
 * that a quiet service still retries its rare failures. The calls and retries of the other JVMs
 * sharing the endpoint count too, so a fleet's retries stay within one budget. Rate-limit retries are not counted:
 * the {@link RateGate} paces them to what the server accepts, so they add no load.
 * Thread-safe; times are nanoseconds.
 */
public final class RetryBudget {
    private static final long WINDOW = 10_000_000_000L;
    private static final int ALWAYS_ALLOWED = 10;
    private static final int SLOTS = 10;
    private static final int CALLS = 0;
    private static final int RETRIES = 1;

    private final double ratio;
    /** Calls and retries over the window: every call counts itself without the lock, which only taking a retry needs. */
    private final SlidingSums counts = new SlidingSums(2, WINDOW, SLOTS);
    private final FleetView fleet;

    /** @param ratio retries allowed per call, e.g. 0.2; negative turns the budget off */
    public RetryBudget(double ratio) {
        this(ratio, FleetView.ofThisJvmOnly());
    }

    /** @param fleet the other JVMs sharing the endpoint: the budget counts their calls and retries too */
    RetryBudget(double ratio, FleetView fleet) {
        this.ratio = ratio;
        this.fleet = fleet;
    }

    public void callStarted(long now) {
        counts.add(now, CALLS, 1);
        tellFleet();
    }

    /** Takes one retry from the budget; false when it is spent. */
    public synchronized boolean tryRetry(long now) {
        counts.advance(now);
        if (ratio < 0) {
            return true;
        }
        long c = counts.sum(CALLS) + fleet.othersCalls();
        long r = counts.sum(RETRIES) + fleet.othersRetries();
        if (r >= ALWAYS_ALLOWED + ratio * c) {
            return false;
        }
        counts.add(now, RETRIES, 1);
        tellFleet();
        return true;
    }

    private void tellFleet() {
        fleet.budgetCounted(counts.sum(CALLS), counts.sum(RETRIES));
    }
}
