package io.aierr.core.limits;

/**
 * Tells, without any coordination, that other clients spend the same limit (replicas sharing one
 * API key): the server's counters fall faster than this JVM's own successes explain. Over a window
 * of at least {@link #WINDOW}, the server accepted what its bucket lost plus what it refilled
 * ({@code remaining} then - {@code remaining} now + refill rate x time); this JVM's share of the
 * limit is what its own successes cost over that. Requests or tokens alike.
 *
 * <p>Read only while the limit binds and the bucket ends a window low: a bucket that fills up wastes
 * its refill, which would count as others' requests and shrink the share for ever; a window that
 * leaves tokens over lets the share grow back instead. Nor is a window read in which the bucket
 * may have filled: one that some answer showed half full, or with a gap between answers longer
 * than the bucket took to fill from the last count (a single JVM whose large request waited its
 * turn let it fill, and, read as a crowd of others, once paced itself to 5 % of its limit). The
 * share is what the JVM's successes cost over what the server accepted, summed over the windows read
 * with the older ones halved each time: a success counts when answered and the server charged it
 * when admitted, so one large request across a window's end would otherwise read as others in one
 * window and be lost to the cap of the whole in the next. Not thread-safe: {@link RateGate} holds
 * its lock around every use.
 */
final class ShareFromCounters {
    private static final long WINDOW = 500_000_000L;
    /** Fewer accepted requests than this in a window say too little of a share. */
    private static final double MIN_ACCEPTED = 6;
    /** Below this, a share is more likely a miscount than a crowd; a JVM never starves itself. */
    private static final double MIN_SHARE = 0.05;
    /** How much a share grows in a window that left tokens over. */
    private static final double GROWTH = 1.25;
    /** A share this close to the whole is the whole: jitter, not another client. */
    private static final double WHOLE = 0.9;

    private long startAt = Long.MIN_VALUE;
    private long startRemaining;
    /** What this JVM's successes cost in the bucket since the window started: requests, or tokens. */
    private double passes;
    /** The last answer's count and time: a long enough gap after a count may have filled the bucket. */
    private long lastRemaining;
    private long lastAt;
    private boolean mayHaveFilled;
    /** Successes' cost and the server's acceptance over the windows read, older ones halved. */
    private double passesRead;
    private double acceptedRead;
    private double share = 1;

    /** This JVM's share of the limit as the counters told it last, (0, 1]. */
    double share() {
        return share;
    }

    /** A success of this JVM that cost {@code cost} in the bucket. */
    void passed(double cost) {
        passes += cost;
    }

    /**
     * An answer that carried the bucket's counters.
     *
     * @param refillRate the bucket's refill rate, units per second; 0 when unknown
     * @return this JVM's share of the limit as the counters tell it, (0, 1]
     */
    double answered(long now, RateCounters counters, double refillRate) {
        if (startAt == Long.MIN_VALUE) {
            restart(now, counters);
            return share;
        }
        mayHaveFilled |= halfFull(counters)
                || refillRate > 0 && now - lastAt > (counters.limit - lastRemaining) / refillRate * 1e9;
        lastRemaining = counters.remaining;
        lastAt = now;
        long span = now - startAt;
        if (span >= WINDOW) {
            double accepted = startRemaining - counters.remaining + refillRate * span / 1e9;
            if (halfFull(counters)) {
                // tokens are left over: the bucket may have wasted its refill, so others may have taken
                // less than it looks; the share grows back instead, towards the whole
                share = Math.min(1, share * GROWTH);
            } else if (refillRate > 0 && accepted >= MIN_ACCEPTED && !mayHaveFilled) {
                passesRead = passesRead / 2 + passes;
                acceptedRead = acceptedRead / 2 + accepted;
                double seen = passesRead / acceptedRead;
                share = seen >= WHOLE ? 1 : Math.max(MIN_SHARE, seen);
            }
            restart(now, counters);
        }
        return share;
    }

    /** The limit no longer binds: what was seen of others is forgotten with it. */
    void forget() {
        startAt = Long.MIN_VALUE;
        passesRead = 0;
        acceptedRead = 0;
        share = 1;
    }

    /** Tokens left over: the bucket may have wasted refill since it was last seen. */
    private static boolean halfFull(RateCounters counters) {
        return counters.remaining * 2 >= counters.limit;
    }

    private void restart(long now, RateCounters counters) {
        startAt = now;
        startRemaining = counters.remaining;
        passes = 0;
        lastRemaining = counters.remaining;
        lastAt = now;
        mayHaveFilled = halfFull(counters);
    }
}
