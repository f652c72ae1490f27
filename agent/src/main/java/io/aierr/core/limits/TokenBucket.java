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
 * to waiting calls. Without counters, 429s that name a token limit teach it: each says the
 * bucket is empty, so the tokens that passed between two of them are what it refilled in between:
 * that rate, less 5 %, is the rate learned. Until two 429s tell it, the first one gives a guess:
 * what passed in the second before it is what the bucket held a second ago plus a second's refill,
 * so a rate from it is high, never low, and paces the calls that would otherwise all meet the
 * empty bucket again ({@link TokenGate} gives none from fewer than a few successes, which tell too
 * little of the bucket).
 * While a fleet is reached, each lesson is instead what every JVM of it passed in the second before
 * the 429 (see {@link #throttledInFleet}).
 * It grows back by 2 % a second while nothing is throttled, and is forgotten after 30 s without a
 * throttle, so a learned limit never outlives the evidence for it.
 *
 * <p>Not thread-safe: {@link TokenGate} holds its lock around every use. Times are nanoTimes.
 */
final class TokenBucket {
    private static final double SECOND = 1e9;
    private static final long FORGET_AFTER = 30_000_000_000L;
    /** After a throttle, the learned rate is a little below what passed, so the bucket can refill. */
    private static final double BACKOFF_SHARE = 0.95;
    /**
     * A learned rate creeps back up to find a limit that was raised; slowly, as each overshoot
     * costs a few 429s: 2 % a second, at most 50 % above what was learned.
     */
    private static final double GROWTH_PER_SECOND = 0.02;
    private static final double MAX_GROWTH = 0.5;
    /** Resets at least this long give a rate within 2 % from counters rounded to the millisecond. */
    private static final long PRECISE_RESET_MILLIS = 50;
    /** Two 429s closer than this tell too little of a refill to learn a rate from. */
    private static final long MIN_LESSON = 250_000_000L;

    /** Tokens the bucket holds when full; 0 while nothing is known of it. */
    private double capacity;
    /** Tokens per second it refills at. */
    private double rate;
    /** Tokens in the bucket at {@link #at}, less what waiting calls were promised (negative while they wait). */
    private double level;
    private long at;
    /** Tokens reserved by calls that have not sent yet: in the ledger, not yet in the server's count. */
    private double promised;
    /** The rate comes from the server's counters (else it was learned from 429s). */
    private boolean counted;
    /** The rate a 429 taught, before it grows back; 0 when none. */
    private double learnedRate;
    /** When a 429 last said the bucket was empty (without counters), or {@code Long.MIN_VALUE}. */
    private long emptyAt = Long.MIN_VALUE;
    /** Tokens of the successes since {@link #emptyAt}. */
    private double passedSinceEmpty;
    private long lastThrottleAt;
    /**
     * Other JVMs sharing the bucket (the fleet's word, or what the counters tell): this one refills
     * at its share of the rate, and may spend its share of what remains.
     */
    private final FleetView fleet;
    /** Others spending the same key, as the counters tell. */
    private final ShareFromCounters othersInCounters = new ShareFromCounters();

    TokenBucket(FleetView fleet) {
        this.fleet = fleet;
    }

    /** Whether the ledger knows enough of the server's bucket to make a call wait. */
    boolean known(long now) {
        if (!counted && emptyAt != Long.MIN_VALUE && now - lastThrottleAt > FORGET_AFTER) {
            learnedRate = 0; // a learned limit the server has not confirmed for a while
            capacity = 0;
            rate = 0;
            emptyAt = Long.MIN_VALUE;
        }
        return capacity > 0 && rate > 0;
    }

    /** Reserves {@code cost} tokens, capped at the bucket's size; returns the tokens charged. */
    double reserve(long now, double cost) {
        refill(now);
        double charged = Math.min(cost, capacity);
        level -= charged;
        promised += charged;
        return charged;
    }

    /** How long a call that reserved last waits for its tokens, ns. */
    long debtNanos() {
        return level >= 0 ? 0 : (long) Math.ceil(-level / (rate * share()) * SECOND);
    }

    /** Gives back tokens reserved by a call that will not send them. */
    void release(long now, double charged) {
        refill(now);
        level += charged;
        promised = Math.max(0, promised - charged);
    }

    /** Reserved tokens went out with an attempt. */
    void sent(double charged) {
        promised = Math.max(0, promised - charged);
    }

    /**
     * The server's counters in the answer to an attempt sent at {@code sentAt}, after which aierr
     * sent {@code sentSince} more tokens of this kind to the model (not in the server's count yet).
     */
    void follow(long now, RateCounters counters, long sentAt, double sentSince) {
        capacity = counters.limit;
        double refill = counters.refillRate();
        // a reset of a few ms, rounded to the ms, would make a rate off by half: keep the last good one
        if (refill > 0 && (counters.resetMillis >= PRECISE_RESET_MILLIS || rate <= 0)) {
            rate = refill;
        } else if (rate <= 0) {
            rate = counters.limit / 60.0; // a full bucket tells no rate: providers count per minute
        }
        counted = true;
        double refilledSince = Math.max(0, now - sentAt) / SECOND * rate;
        othersInCounters.answered(now, counters, counters.refillRate());
        fleet.tokensSeen(counters.remaining, counters.limit, rate);
        level = Math.min(capacity, counters.remaining + refilledSince) * share() - sentSince - promised;
        at = now;
    }

    /** A success that cost about {@code cost} tokens here. */
    void passed(double cost) {
        passedSinceEmpty += cost;
        othersInCounters.passed(cost);
    }

    /** This JVM's share of the bucket: the fleet's word, or what the counters leave it. */
    private double share() {
        return fleet.shareOr(othersInCounters.share());
    }

    /**
     * A 429 naming this token limit, for an attempt sent at {@code sentAt} that cost about
     * {@code cost}, without counters. A small request's 429 says the bucket is empty; a large
     * one's (more than a quarter of the bucket as learned) only that it was short of that cost,
     * which says nothing of the rate: learning from it would teach aierr's own pace, lower each time.
     *
     * @param passedLastSecond tokens of this kind that this JVM's successes spent in the second before
     */
    void throttled(long now, long sentAt, double cost, double passedLastSecond) {
        if (!emptied(now, cost)) {
            return;
        }
        if (emptyAt == Long.MIN_VALUE) {
            emptyAt = now; // the first sign of the limit: what passes from here teaches its rate
            passedSinceEmpty = 0;
            if (learnedRate <= 0 && passedLastSecond > 0) {
                learn(passedLastSecond * BACKOFF_SHARE / share());
                level = -promised; // a debt left in the ledger by a limit forgotten since is not this one's
            }
            return;
        }
        if (sameCongestion(now, sentAt)) {
            return;
        }
        if (passedSinceEmpty > 0) {
            // what passed here is this JVM's share of what passed the server
            learn(passedSinceEmpty * SECOND / (now - emptyAt) * BACKOFF_SHARE / share());
        }
        emptyAt = now;
        passedSinceEmpty = 0;
    }

    /**
     * A token 429 while the fleet is reached: {@code fleetPassedLastSecond} is what the successes of
     * every JVM spent in the second before it, so each lesson is the bucket's own rate (high, never
     * low, as the first guess above), not this JVM's passes over its share: one crowded out in the
     * first second learned a rate several times too low, and kept it while no 429 came.
     */
    void throttledInFleet(long now, long sentAt, double cost, double fleetPassedLastSecond) {
        if (!emptied(now, cost)) {
            return;
        }
        if (emptyAt != Long.MIN_VALUE && sameCongestion(now, sentAt)) {
            return;
        }
        if (fleetPassedLastSecond > 0) {
            if (learnedRate <= 0) {
                level = -promised; // as for a first guess
            }
            learn(fleetPassedLastSecond * BACKOFF_SHARE);
        }
        emptyAt = now;
        passedSinceEmpty = 0;
    }

    /**
     * The bucket was last seen empty after this attempt was sent, or too lately to tell a refill:
     * the same congestion as the last lesson, already accounted for.
     */
    private boolean sameCongestion(long now, long sentAt) {
        return sentAt < emptyAt || now - emptyAt < MIN_LESSON;
    }

    /** Whether a 429 of an attempt that cost about {@code cost} says the bucket is empty; it is then marked so. */
    private boolean emptied(long now, double cost) {
        lastThrottleAt = now;
        if (counted) {
            return false; // the counters are better evidence than a 429
        }
        if (learnedRate > 0 && cost > capacity / 4) {
            return false; // short of a large request: the bucket need not be empty
        }
        refill(now);
        level = Math.min(level, -promised);
        return true;
    }

    private void learn(double tokensPerSecond) {
        learnedRate = tokensPerSecond;
        rate = learnedRate;
        capacity = rate; // about a second's worth: what a provider's short enforcement window holds
    }

    private void refill(long now) {
        if (!counted && learnedRate > 0) {
            // a learned rate grows back while nothing is throttled, so that it finds the limit again
            double quiet = Math.max(0, now - lastThrottleAt) / SECOND;
            rate = learnedRate * (1 + Math.min(MAX_GROWTH, GROWTH_PER_SECOND * quiet));
            capacity = rate;
        }
        if (now > at) {
            double share = share();
            level = Math.min(capacity * share - promised, level + (now - at) / SECOND * rate * share);
            at = now;
        }
    }
}
