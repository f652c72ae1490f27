package io.aierr.core.limits;

/**
 * aierr's copy of one of the server's token buckets (one model's tokens per minute, or Anthropic's
 * input or output tokens), kept as a ledger that may go into debt: a call reserves its estimated
 * cost, and when the tokens are not there yet it waits until the refill has paid its debt. Every
 * reservation lands behind the ones before it, so turns are first come, first served: a large
 * request is not starved by small ones, and small ones wait only behind what came before them.
 *
 * <p>The ledger follows the server whenever the server sends its counters: the remaining count of
 * an answer, refilled since that attempt was sent, less what aierr has sent since then or promised
 * to waiting calls. Without counters, a 429 that names a token limit teaches a rate: what passed
 * lately, less 5 %; it grows back by 5 % a second while nothing is throttled, and is forgotten
 * after 30 s without a throttle, so a learned limit never outlives the evidence for it.
 *
 * <p>Not thread-safe: {@link TokenGate} holds its lock around every use. Times are nanoTimes.
 */
final class TokenBucket {
    private static final double SECOND = 1e9;
    private static final long FORGET_AFTER = 30_000_000_000L;
    /** After a throttle, the learned rate is a little below what passed, so the bucket can refill. */
    private static final double BACKOFF_SHARE = 0.95;
    private static final double GROWTH_PER_SECOND = 0.05;

    /** Tokens the bucket holds when full; 0 while nothing is known of it. */
    private double capacity;
    /** Tokens per second it refills at. */
    private double rate;
    /** Tokens in the bucket at {@link #at}, negative while calls wait for them. */
    private double level;
    private long at;
    /** Tokens reserved by calls that have not sent yet: in the ledger, not yet in the server's count. */
    private double promised;
    /** Tokens of every attempt sent so far: the difference between two readings is what went out in between. */
    private double sentTotal;
    /** The rate comes from the server's counters (else it was learned from 429s). */
    private boolean counted;
    /** The rate a 429 taught, before it grows back; 0 when none. */
    private double learnedRate;
    private long learnedAt;
    private long lastThrottleAt;

    /** Whether the ledger knows enough of the server's bucket to make a call wait. */
    boolean known(long now) {
        if (!counted && learnedRate > 0 && now - lastThrottleAt > FORGET_AFTER) {
            learnedRate = 0; // a learned limit the server has not confirmed for a while
            capacity = 0;
            rate = 0;
        }
        return capacity > 0 && rate > 0;
    }

    /** Reserves {@code cost} tokens, capped at the bucket's size; returns how long to wait for them, ns. */
    long reserve(long now, double cost) {
        refill(now);
        double charged = Math.min(cost, capacity);
        level -= charged;
        promised += charged;
        return level >= 0 ? 0 : (long) Math.ceil(-level / rate * SECOND);
    }

    /** Gives back tokens reserved by a call that will not send them. */
    void release(long now, double charged) {
        refill(now);
        level += charged;
        promised = Math.max(0, promised - charged);
    }

    /**
     * The reserved tokens go out now; returns the running total to hand back to {@link #follow}
     * with the answer.
     */
    double sent(double charged) {
        promised = Math.max(0, promised - charged);
        sentTotal += charged;
        return sentTotal;
    }

    /**
     * The server's counters in the answer to an attempt sent at {@code sentAt}, after which the
     * ledger's running total was {@code sentTotalThen}; NaN when that attempt reserved nothing here.
     */
    void follow(long now, RateCounters counters, long sentAt, double sentTotalThen) {
        capacity = counters.limit;
        double refill = counters.refillRate();
        if (refill > 0) {
            rate = refill;
        } else if (rate <= 0) {
            rate = counters.limit / 60.0; // a full bucket tells no rate: providers count per minute
        }
        counted = true;
        double sinceSent = Math.max(0, now - sentAt) / SECOND * rate;
        double sentSince = Double.isNaN(sentTotalThen) ? 0 : sentTotal - sentTotalThen;
        level = Math.min(capacity, counters.remaining + sinceSent) - sentSince - promised;
        at = now;
    }

    /**
     * A 429 naming this token limit, without counters: the bucket is empty, and the rate is what
     * passed in the last seconds ({@code passedRate} tokens a second), less 5 %, learned once per
     * round trip.
     */
    void throttled(long now, long sentAt, double passedRate) {
        lastThrottleAt = now;
        if (counted) {
            return; // the counters are better evidence than a 429
        }
        refill(now);
        level = Math.min(level, -promised);
        if (learnedRate > 0 && sentAt < learnedAt) {
            return; // sent before the last lesson: the same congestion, already accounted for
        }
        if (passedRate == 0) {
            return; // nothing passed lately: no rate to learn, the server's hints alone hold callers
        }
        learnedRate = passedRate * BACKOFF_SHARE;
        learnedAt = now;
        rate = learnedRate;
        capacity = rate; // about a second's worth: what a provider's short enforcement window holds
        level = Math.min(level, -promised);
        at = now;
    }

    private void refill(long now) {
        if (!counted && learnedRate > 0) {
            // a learned rate grows back while nothing is throttled, so that it finds the limit again
            double quiet = Math.max(0, now - lastThrottleAt) / SECOND;
            rate = learnedRate * (1 + GROWTH_PER_SECOND * Math.min(quiet, 10));
            capacity = rate;
        }
        if (now > at) {
            level = Math.min(capacity - promised, level + (now - at) / SECOND * rate);
            at = now;
        }
    }
}
