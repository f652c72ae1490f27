package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicLongArray;

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
    private static final long SLOT_NANOS = WINDOW / SLOTS;

    private final double ratio;
    /**
     * Calls and retries per one-second slot of the window, as a ring. Every call counts itself here
     * without the lock, which only moving to a new slot and taking a retry need.
     */
    private final AtomicLongArray calls = new AtomicLongArray(SLOTS);
    private final AtomicLongArray retries = new AtomicLongArray(SLOTS);
    private volatile long currentSlot = Long.MIN_VALUE;
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
        long slot = now / SLOT_NANOS;
        calls.incrementAndGet(slot == currentSlot ? index(slot) : advance(now));
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
        retries.incrementAndGet(slot);
        tellFleet();
        return true;
    }

    private void tellFleet() {
        fleet.budgetCounted(sum(calls), sum(retries));
    }

    private static long sum(AtomicLongArray ring) {
        long n = 0;
        for (int i = 0; i < SLOTS; i++) {
            n += ring.get(i);
        }
        return n;
    }

    private static int index(long slot) {
        return (int) Math.floorMod(slot, (long) SLOTS);
    }

    /** Moves the ring to the slot of {@code now}, clearing slots that fell out of the window. */
    private synchronized int advance(long now) {
        long slot = now / SLOT_NANOS;
        long from = currentSlot == Long.MIN_VALUE || slot - currentSlot >= SLOTS ? slot - SLOTS + 1 : currentSlot + 1;
        for (long s = from; s <= slot; s++) {
            calls.set(index(s), 0);
            retries.set(index(s), 0);
        }
        if (currentSlot == Long.MIN_VALUE || slot > currentSlot) {
            currentSlot = slot;
        }
        return index(currentSlot);
    }
}
