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

    private final double ratio;
    /** Calls and retries per one-second slot of the window, as a ring. */
    private final long[] calls = new long[SLOTS];
    private final long[] retries = new long[SLOTS];
    private long currentSlot = Long.MIN_VALUE;
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

    public synchronized void callStarted(long now) {
        calls[advance(now)]++;
        tellFleet();
    }

    /** Takes one retry from the budget; false when it is spent. */
    public synchronized boolean tryRetry(long now) {
        int slot = advance(now);
        if (ratio < 0) {
            return true;
        }
        long c = sum(calls) + fleet.othersCalls();
        long r = sum(retries) + fleet.othersRetries();
        if (r >= ALWAYS_ALLOWED + ratio * c) {
            return false;
        }
        retries[slot]++;
        tellFleet();
        return true;
    }

    private void tellFleet() {
        fleet.budgetCounted(sum(calls), sum(retries));
    }

    private static long sum(long[] ring) {
        long n = 0;
        for (long v : ring) {
            n += v;
        }
        return n;
    }

    /** Moves the ring to the slot of {@code now}, clearing slots that fell out of the window. */
    private int advance(long now) {
        long slot = now / (WINDOW / SLOTS);
        if (currentSlot == Long.MIN_VALUE || slot - currentSlot >= SLOTS) {
            java.util.Arrays.fill(calls, 0);
            java.util.Arrays.fill(retries, 0);
        } else {
            for (long s = currentSlot + 1; s <= slot; s++) {
                int i = (int) Math.floorMod(s, (long) SLOTS);
                calls[i] = 0;
                retries[i] = 0;
            }
        }
        if (currentSlot == Long.MIN_VALUE || slot > currentSlot) {
            currentSlot = slot;
        }
        return (int) Math.floorMod(currentSlot, (long) SLOTS);
    }
}
