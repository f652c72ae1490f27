package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The times of the last few events of one kind (successes, rate-limit answers), newest over
 * oldest. Lock-free, so that every answer of a busy endpoint can add to it without queueing on its
 * gate's lock; a reader counting while others add sees each slot either before or after. Times are
 * nanoTimes, compared by their difference.
 */
final class TimeRing {
    private final AtomicLongArray times;
    /** Events ever added: a long, which no endpoint's lifetime wraps around. */
    private final AtomicLong added = new AtomicLong();

    TimeRing(int size) {
        times = new AtomicLongArray(size);
    }

    void add(long now) {
        times.set((int) (added.getAndIncrement() % times.length()), now);
    }

    /** Events within {@code window} of {@code now}, counted up to {@code enough}. */
    int count(long now, long window, int enough) {
        int n = 0;
        for (int i = 0, stored = stored(); i < stored && n < enough; i++) {
            if (now - times.get(i) <= window) {
                n++;
            }
        }
        return n;
    }

    /** The oldest event within {@code window} of {@code now}, or {@code now} when there is none. */
    long oldest(long now, long window) {
        long oldest = now;
        for (int i = 0, stored = stored(); i < stored; i++) {
            long t = times.get(i);
            if (now - t <= window && t - oldest < 0) {
                oldest = t;
            }
        }
        return oldest;
    }

    private int stored() {
        return (int) Math.min(added.get(), times.length());
    }
}
