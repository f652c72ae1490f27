package io.aierr.core.limits;

/**
 * Caps retries of failing endpoints so an outage does not multiply the load on it: over a
 * sliding window, retries may be at most {@code ratio} of the calls, plus a small allowance so
 * that a quiet service still retries its rare failures. Rate-limit retries are not counted:
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

    /** @param ratio retries allowed per call, e.g. 0.2; negative turns the budget off */
    public RetryBudget(double ratio) {
        this.ratio = ratio;
    }

    public synchronized void callStarted(long now) {
        calls[advance(now)]++;
    }

    /** Takes one retry from the budget; false when it is spent. */
    public synchronized boolean tryRetry(long now) {
        int slot = advance(now);
        if (ratio < 0) {
            return true;
        }
        long c = 0;
        long r = 0;
        for (int i = 0; i < SLOTS; i++) {
            c += calls[i];
            r += retries[i];
        }
        if (r >= ALWAYS_ALLOWED + ratio * c) {
            return false;
        }
        retries[slot]++;
        return true;
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
