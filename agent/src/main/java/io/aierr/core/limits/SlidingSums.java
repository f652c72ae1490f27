package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A few running sums over a sliding window (calls and retries, or tokens that passed), kept in a
 * ring of time slots. Adding takes no lock: only moving to a new slot does, once per slot, so
 * every call of a busy endpoint can count itself without queueing behind the others. A reader
 * summing while others add sees each addition either before or after. Times are nanoTimes.
 */
final class SlidingSums {
    private final int slots;
    private final long slotNanos;
    /** Sum {@code k}'s slot {@code i} is at {@code k * slots + i}. */
    private final AtomicLongArray sums;
    private volatile long currentSlot = Long.MIN_VALUE;

    /** {@code count} sums over {@code window} ns, in {@code slots} slots. */
    SlidingSums(int count, long window, int slots) {
        this.slots = slots;
        this.slotNanos = window / slots;
        this.sums = new AtomicLongArray(count * slots);
    }

    void add(long now, int sum, long amount) {
        long slot = now / slotNanos;
        sums.addAndGet(sum * slots + (slot == currentSlot ? index(slot) : advance(now)), amount);
    }

    /** Sum {@code sum} over the window as of the last slot moved to. */
    long sum(int sum) {
        long n = 0;
        for (int i = 0; i < slots; i++) {
            n += sums.get(sum * slots + i);
        }
        return n;
    }

    /** Moves the ring to the slot of {@code now}, clearing slots that fell out of the window; returns its index. */
    synchronized int advance(long now) {
        long slot = now / slotNanos;
        long from = currentSlot == Long.MIN_VALUE || slot - currentSlot >= slots ? slot - slots + 1 : currentSlot + 1;
        for (long s = from; s <= slot; s++) {
            for (int k = 0; k < sums.length(); k += slots) {
                sums.set(k + index(s), 0);
            }
        }
        if (currentSlot == Long.MIN_VALUE || slot > currentSlot) {
            currentSlot = slot;
        }
        return index(currentSlot);
    }

    private int index(long slot) {
        return (int) Math.floorMod(slot, (long) slots);
    }
}
