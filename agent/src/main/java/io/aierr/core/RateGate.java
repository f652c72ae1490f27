package io.aierr.core;

/**
 * What all calls to one endpoint (host, port and API key) know about its rate limit, so that one
 * call's 429 spares the others a certain 429. Every attempt reserves a send slot: while the
 * endpoint is not limiting, the slot is "now"; once it throttled, slots are spaced by the
 * learned sustainable rate and none comes before the time the server asked to wait for. Waiters
 * are thus released one after another at the rate the server accepts, not all at once.
 *
 * <p>The rate is read from the server's own counters when it sends them (OpenAI-style
 * {@code x-ratelimit-limit/remaining/reset-requests}: {@code (limit - remaining) / reset} is the
 * refill rate). Without counters it is learned the way AWS SDKs' adaptive mode does, with two
 * changes that make it converge faster: a throttle lowers the rate to the rate that actually
 * succeeded, less 5 % (not 70 % of the sending rate), and only once per round trip, so a wave of 429s for
 * requests sent together counts as one signal. Between throttles the rate grows along a cubic
 * curve back to, then past, the rate that last throttled.
 *
 * <p>Thread-safe; all times are {@link System#nanoTime()} nanoseconds.
 */
final class RateGate {
    private static final long SECOND = 1_000_000_000L;
    /** A limit that has not throttled for this long is considered lifted. */
    private static final long FORGET_AFTER = 30 * SECOND;
    private static final long WINDOW = 2 * SECOND;
    private static final long MIN_WINDOW = SECOND / 4;
    private static final double MIN_RATE = 0.5;
    /**
     * Cubic growth constant, in requests per second per second cubed. AWS uses 0.4; a quarter of
     * it stays near the last throttling rate for twice as long, which the benchmark showed to
     * halve the 429s of a closed loop without hints.
     */
    private static final double CUBIC_C = 0.1;
    private static final double SERVER_RATE_SHARE = 0.97;
    /** After a throttle, pace a little below what passed, so the server's bucket can refill. */
    private static final double BACKOFF_SHARE = 0.95;

    private final boolean adaptive;
    private final long[] successes = new long[256];
    private int successCount;

    private boolean pacing;
    /** Sending rate while pacing, requests per second. */
    private double rate;
    /** The rate told by the server's counters, 0 when it sends none. */
    private double serverRate;
    /** Rate that last throttled, and when: the cubic curve grows back towards it. */
    private double lastMaxRate;
    private long lastThrottleAt;
    private long lastDecreaseAt = Long.MIN_VALUE;
    private long blockedUntil = Long.MIN_VALUE;
    private long nextSlot = Long.MIN_VALUE;

    RateGate(boolean adaptive) {
        this.adaptive = adaptive;
    }

    /**
     * Reserves the next send slot.
     *
     * @return nanoseconds to wait before sending; 0 when the endpoint is not limiting
     */
    synchronized long reserve(long now) {
        if (pacing && now - lastThrottleAt > FORGET_AFTER) {
            pacing = false;
        }
        long slot = Math.max(now, blockedUntil);
        if (pacing) {
            slot = Math.max(slot, nextSlot);
            nextSlot = slot + (long) (SECOND / currentRate(now));
        }
        return slot - now;
    }

    /**
     * A 429 or other rate-limit answer.
     *
     * @param sentAt     when the throttled attempt was sent
     * @param hintMillis the server's wait hint, or -1 when it gave none
     */
    synchronized void throttled(long now, long sentAt, long hintMillis, RateCounters counters) {
        learnServerRate(counters);
        if (hintMillis >= 0) {
            blockedUntil = Math.max(blockedUntil, now + hintMillis * 1_000_000L);
        }
        lastThrottleAt = now;
        if (sentAt < lastDecreaseAt && pacing) {
            return; // sent before the last decrease: the same congestion, already accounted for
        }
        double measured = measuredRate(now);
        if (measured == 0 && serverRate == 0) {
            return; // nothing passed lately, so no rate to pace at: the server's hints alone hold callers
        }
        measured = Math.max(MIN_RATE, measured);
        lastMaxRate = pacing ? Math.max(currentRate(now), measured) : measured;
        rate = measured * BACKOFF_SHARE;
        lastDecreaseAt = now;
        if (!pacing) {
            pacing = true;
            nextSlot = Math.max(now, blockedUntil);
        }
    }

    /** A response that was not throttled. */
    synchronized void passed(long now, RateCounters counters) {
        successes[successCount++ % successes.length] = now;
        learnServerRate(counters);
        if (counters != null && counters.remaining == 0 && serverRate > 0) {
            // the bucket is empty: the next request would be throttled, so wait for one refill
            blockedUntil = Math.max(blockedUntil, now + (long) (SECOND / serverRate));
            lastThrottleAt = now;
            if (!pacing) {
                pacing = true;
                nextSlot = blockedUntil;
            }
        }
    }

    private void learnServerRate(RateCounters counters) {
        if (counters != null && counters.refillRate() > 0) {
            serverRate = counters.refillRate();
        }
    }

    private double currentRate(long now) {
        if (serverRate > 0) {
            // a hair below the refill rate, so that the server's bucket keeps a fraction of a token
            // to absorb the jitter of arrival times instead of answering 429
            return serverRate * SERVER_RATE_SHARE;
        }
        if (!adaptive) {
            return Double.MAX_VALUE;
        }
        double t = (now - lastDecreaseAt) / (double) SECOND;
        double k = Math.cbrt(Math.max(0, lastMaxRate - rate) / CUBIC_C);
        double cubic = CUBIC_C * Math.pow(t - k, 3) + lastMaxRate;
        return Math.max(MIN_RATE, Math.max(rate, cubic));
    }

    /**
     * Successes per second over the last {@link #WINDOW}, counted from the oldest of them, so
     * that a quiet spell before the load does not dilute the rate. Erring high costs a few 429s
     * that lower it again; erring low would starve the caller, so a short span is stretched to
     * {@link #MIN_WINDOW} rather than trusted.
     */
    private double measuredRate(long now) {
        int n = 0;
        long oldest = now;
        int stored = Math.min(successCount, successes.length);
        for (int i = 0; i < stored; i++) {
            long at = successes[i];
            if (now - at <= WINDOW) {
                n++;
                oldest = Math.min(oldest, at);
            }
        }
        return n * (double) SECOND / Math.max(MIN_WINDOW, now - oldest);
    }

    synchronized boolean pacing() {
        return pacing;
    }

    /** Requests per second the gate releases now; 0 while the endpoint is not paced. */
    synchronized double pacingRate(long now) {
        return pacing ? currentRate(now) : 0;
    }
}
