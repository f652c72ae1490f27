package io.aierr.core.limits;

import io.aierr.core.classify.BackoffSource;

/**
 * What all calls to one endpoint (host, port and API key) know about its rate limit, so that one
 * call's 429 spares the others a certain 429, without slowing anyone down on a guess.
 *
 * <p>It acts only once the evidence says a limit binds: the server's counters say its bucket is
 * empty, or rate-limit answers make up at least half of the recent answers. Sporadic 429s (a
 * gateway's "peak load" answers under quota) never do: each such call waits its own hint, and the
 * others go on. While a limit binds:
 * <ul>
 *   <li>a 429's hint <em>holds</em> every call to the endpoint until the server's time;</li>
 *   <li>concurrent calls are <em>paced</em>: released one after another at the rate the server
 *       accepts, not all at the same instant. A lone caller (no other call to the endpoint in
 *       progress) goes at its own time, so it never waits past its hint.</li>
 * </ul>
 * Other JVMs sharing the endpoint (the {@link FleetView fleet}) hold it too with their 429s'
 * hints, and this gate paces to its share of the endpoint's rate: the share the fleet gives it, or,
 * without one, what the server's counters say is left to it.
 *
 * <p>The rate is read from the server's own counters when it sends them (OpenAI-style
 * {@code x-ratelimit-limit/remaining/reset-requests}: {@code (limit - remaining) / reset} is the
 * refill rate). Without counters it is learned the way AWS SDKs' adaptive mode does, with two
 * changes that make it converge faster: a throttle lowers the rate to the rate that actually
 * succeeded, less 5 % (not 70 % of the sending rate), and only once per round trip, so a wave of
 * 429s for requests sent together counts as one signal. Between throttles the rate grows along a
 * cubic curve back to, then past, the rate that last throttled.
 *
 * <p>Thread-safe; all times are {@link System#nanoTime()} nanoseconds.
 */
public final class RateGate {
    private static final long SECOND = 1_000_000_000L;
    /** A limit that has not throttled for this long is considered lifted. */
    private static final long FORGET_AFTER = 30 * SECOND;
    /** Recent answers are those within this: the fleet counts its successes over the same. */
    static final long WINDOW = 2 * SECOND;
    static final long MIN_WINDOW = SECOND / 4;
    private static final double MIN_RATE = 0.5;
    /** Rate-limit answers in the window before they can say, with no counters, that a limit binds. */
    private static final int MIN_THROTTLES = 2;
    /**
     * Successes in the window before their rate can set a pace. A cold start's first answers come
     * within milliseconds, and one or two successes stretched over {@link #MIN_WINDOW} read as a few
     * requests per second: paced there, 16 callers of a server that takes thousands crawled for a
     * minute (JDK 25's async client, whose first 429s came before its first successes). Until then a
     * binding limit holds callers by the server's hints alone. Not more: a bucket's burst is often
     * all that passes before the first wave's 429s, and with 8 the bare rows of bench/ratelimit.sh
     * (a burst of 5) went from 7 % to 15-24 % avoidable 429s and 10 failed calls.
     */
    private static final int MIN_PASSES_TO_PACE = 3;
    /**
     * A rate learned from throttles never falls below this share of what passed before pacing began.
     * A real limit is never paced that low (what passed unpaced is about the limit), while 429s that
     * come at random whatever the rate would lower it with each one, down to a crawl.
     */
    private static final double FLOOR_SHARE = 0.5;
    /**
     * Cubic growth constant, in requests per second per second cubed. AWS uses 0.4; a quarter of
     * it stays near the last throttling rate for twice as long, which the benchmark showed to
     * halve the 429s of a closed loop without hints.
     */
    private static final double CUBIC_C = 0.1;
    private static final double SERVER_RATE_SHARE = 0.97;
    /** After a throttle, pace a little below what passed, so the server's bucket can refill. */
    private static final double BACKOFF_SHARE = 0.95;

    /** A call's turn: how long it waits, and what set that time. */
    public static final class Turn {
        public static final Turn OWN_TIME = new Turn(0, null);

        public final long waitNanos;
        /** {@link BackoffSource#HELD} or {@link BackoffSource#PACED}; null when the call goes at its own time. */
        public final BackoffSource cause;

        private Turn(long waitNanos, BackoffSource cause) {
            this.waitNanos = waitNanos;
            this.cause = cause;
        }
    }

    private final boolean adaptive;
    /** Recent answers: successes and rate-limit answers. */
    private final TimeRing passes = new TimeRing(1024);
    private final TimeRing throttles = new TimeRing(256);

    /**
     * The evidence says a limit binds: hints hold every call, waiters are paced. Written under the
     * lock; read without it by {@link #reserve} while no limit binds.
     */
    private volatile boolean binding;
    /** A sending rate is known while binding (from counters or from what passed). */
    private boolean pacing;
    /** Sending rate while pacing, requests per second. */
    private double rate;
    /** The rate told by the server's counters, 0 when it sends none. */
    private double serverRate;
    /** Rate that last throttled, and when: the cubic curve grows back towards it. */
    private double lastMaxRate;
    private long lastThrottleAt;
    private long lastDecreaseAt = Long.MIN_VALUE;
    /** The lowest a rate learned from throttles goes while this limit binds: see {@link #FLOOR_SHARE}. */
    private double floorRate;
    private long heldUntil = Long.MIN_VALUE;
    /** The latest send time handed out. */
    private long lastSlot = Long.MIN_VALUE;
    /** The answer behind the current hold or limit: what a call refused for its turn gets a copy of. */
    private AnswerCopy cause;

    private final FleetView fleet;
    private final ShareFromCounters othersInCounters = new ShareFromCounters();
    /** The fleet's last lesson of a rate this gate took. */
    private long fleetRateLesson;

    public RateGate(boolean adaptive) {
        this(adaptive, FleetView.ofThisJvmOnly());
    }

    /** @param fleet the other JVMs sharing the endpoint: their holds hold this gate too, and it paces to its share */
    RateGate(boolean adaptive, FleetView fleet) {
        this.adaptive = adaptive;
        this.fleet = fleet;
    }

    /**
     * Reserves a send time no earlier than {@code earliest} (the call's own time: now, or now plus
     * its own backoff or hint).
     *
     * @param alone no other call to the endpoint is in progress: a lone caller is held by the
     *              server's hint, never spaced by a rate, so its waits cannot spiral down with it
     */
    public Turn reserve(long now, long earliest, boolean alone) {
        if (!binding && fleet.heldUntil() == Long.MIN_VALUE) {
            return Turn.OWN_TIME; // what the lock would answer too: no limit binds, here or in the fleet
        }
        synchronized (this) {
            return reserveLocked(now, earliest, alone);
        }
    }

    private Turn reserveLocked(long now, long earliest, boolean alone) {
        if (binding && now - lastThrottleAt > FORGET_AFTER) {
            binding = false;
            pacing = false;
            floorRate = 0;
            othersInCounters.forget();
        }
        learnFromTheFleet(now);
        long fleetHold = fleet.heldUntil();
        if (fleetHold != Long.MIN_VALUE && pacing) {
            // the JVMs resume one after another in their places of one paced round, not all at once
            fleetHold += (long) (fleet.place() * SECOND / currentRate(now));
        }
        if (!binding) {
            // another JVM's 429 says the limit binds, though this JVM has not met it yet
            return fleetHold > earliest ? new Turn(fleetHold - now, BackoffSource.FLEET) : Turn.OWN_TIME;
        }
        long slot = Math.max(earliest, heldUntil);
        BackoffSource cause = slot > earliest ? BackoffSource.HELD : null;
        if (fleetHold > slot) {
            slot = fleetHold;
            cause = BackoffSource.FLEET;
        }
        // a lone caller of this JVM is not alone when other JVMs share the limit
        if (pacing && !(alone && share() >= 1)) {
            long spaced = lastSlot + (long) (SECOND / currentRate(now));
            if (spaced > slot) {
                slot = spaced;
                cause = BackoffSource.PACED;
            }
        }
        lastSlot = Math.max(lastSlot, slot);
        return cause == null ? Turn.OWN_TIME : new Turn(slot - now, cause);
    }

    /**
     * A 429 or other rate-limit answer.
     *
     * @param sentAt     when the throttled attempt was sent
     * @param hintMillis the server's wait hint, or -1 when it gave none
     * @param answer     a copy of the answer, for the calls a hold refuses
     */
    public synchronized void throttled(long now, long sentAt, long hintMillis, RateCounters counters, AnswerCopy answer) {
        learnServerRate(counters);
        countOthers(now, counters, false);
        throttles.add(now);
        lastThrottleAt = now;
        if (!binding && !bindingEvidence(now, counters)) {
            return; // sporadic: this call waits its own hint, the others go on
        }
        binding = true;
        cause = answer;
        if (hintMillis >= 0) {
            heldUntil = Math.max(heldUntil, now + hintMillis * 1_000_000L);
            fleet.held(heldUntil);
        }
        if (sentAt < lastDecreaseAt && pacing) {
            return; // sent before the last decrease: the same congestion, already accounted for
        }
        double measured = passedTheServer(now);
        if (measured == 0 && serverRate == 0) {
            return; // nothing passed lately, so no rate to pace at: the server's hints alone hold callers
        }
        measured = Math.max(MIN_RATE, measured);
        if (pacing && serverRate == 0 && rate <= floorRate && measured * BACKOFF_SHARE <= floorRate) {
            // paced at the floor and throttled still: these 429s come whatever the rate (a cold start's
            // errors answered before its successes bound the gate), so no limit is known to bind
            binding = false;
            pacing = false;
            floorRate = 0;
            return;
        }
        lastMaxRate = pacing ? Math.max(endpointRate(now), measured) : measured;
        if (!pacing) {
            floorRate = FLOOR_SHARE * measured;
        }
        rate = Math.max(floorRate, measured * BACKOFF_SHARE);
        lastDecreaseAt = now;
        pacing = true;
        fleet.learnedRate(endpointRate(now));
    }

    /** A response that was not throttled. */
    public void passed(long now, RateCounters counters) {
        passes.add(now);
        fleet.passed();
        if (counters != null) {
            // what is learned from counters is learned under the lock; most answers of a busy endpoint
            // without counters (a gateway's, a self-hosted server's) then take no lock at all
            passedWith(now, counters);
        }
    }

    private synchronized void passedWith(long now, RateCounters counters) {
        learnServerRate(counters);
        countOthers(now, counters, true);
        if (counters.remaining == 0 && serverRate > 0) {
            // the bucket is empty: the next request would be throttled, so wait for one refill
            heldUntil = Math.max(heldUntil, now + (long) (SECOND / serverRate));
            lastThrottleAt = now;
            binding = true;
            pacing = true;
        }
    }

    /**
     * Without counters, a rate another JVM learned from its 429s is a throttle here too: the fleet
     * paces to one rate rather than to as many noisy guesses as it has JVMs.
     */
    private void learnFromTheFleet(long now) {
        long lesson = fleet.fleetRateLesson();
        if (lesson == fleetRateLesson || !adaptive || serverRate > 0 || !binding) {
            return;
        }
        fleetRateLesson = lesson;
        double learned = fleet.fleetRate();
        if (learned > 0) {
            lastMaxRate = pacing ? Math.max(endpointRate(now), learned / BACKOFF_SHARE) : learned / BACKOFF_SHARE;
            rate = learned;
            lastDecreaseAt = now;
            pacing = true;
        }
    }

    /**
     * Requests per second that passed the server lately: this JVM's successes with the other JVMs'
     * the fleet counted, or, with no fleet reached, this JVM's over its share.
     */
    private double passedTheServer(long now) {
        int passed = passes.count(now, WINDOW, Integer.MAX_VALUE);
        double own = passed * (double) SECOND / passSpan(now);
        double others = fleet.othersPassRate();
        if (Double.isNaN(others)) {
            return passed < MIN_PASSES_TO_PACE ? 0 : own / share();
        }
        return own + others;
    }

    /** While the limit binds, the counters tell whether others spend it too (see {@link ShareFromCounters}). */
    private void countOthers(long now, RateCounters counters, boolean passed) {
        if (binding && counters != null) {
            if (passed) {
                othersInCounters.passed(1);
            }
            othersInCounters.answered(now, counters, serverRate);
        }
    }

    /** The answer behind the current hold, or null while no limit binds. */
    public synchronized AnswerCopy cause() {
        return binding ? cause : null;
    }

    /** The server's counters say its bucket is empty, or rate-limit answers are at least half of the recent ones. */
    private boolean bindingEvidence(long now, RateCounters counters) {
        if (counters != null && counters.remaining == 0) {
            return true;
        }
        int throttled = throttles.count(now, WINDOW, Integer.MAX_VALUE);
        // passes need counting only until they outnumber the throttles: sporadic 429s meet a full ring
        return throttled >= MIN_THROTTLES && throttled >= passes.count(now, WINDOW, throttled + 1);
    }

    /**
     * Each answer's counters bound the refill rate from above and below (a remaining count of whole
     * requests hides a fraction of one): the rate moves only as far as the bounds demand, so it
     * settles on the tightest upper bound seen instead of jumping with each answer's fraction (up to
     * a quarter above the limit with a bucket of 5, which a fleet pacing at the limit turns into 429s).
     */
    private void learnServerRate(RateCounters counters) {
        double most = counters == null ? 0 : counters.refillRate();
        if (most > 0) {
            serverRate = serverRate == 0 ? most : Math.max(counters.leastRefillRate(), Math.min(most, serverRate));
            fleet.learnedRate(serverRate);
        }
    }

    /** This JVM's sending rate: its share of the endpoint's. */
    private double currentRate(long now) {
        return endpointRate(now) * share();
    }

    /** This JVM's share of the endpoint's rate: the fleet's word, or the counters'. */
    private double share() {
        return fleet.shareOr(othersInCounters.share());
    }

    /** The rate the whole endpoint accepts, by the server's counters or as learned. */
    private double endpointRate(long now) {
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
     * The time the recent successes span, counted from the oldest of them, so that a quiet spell
     * before the load does not dilute the rate. Erring short costs a few 429s that lower the rate
     * again; erring long would starve the caller, so a short span is stretched to {@link #MIN_WINDOW}.
     */
    private long passSpan(long now) {
        return Math.max(MIN_WINDOW, now - passes.oldest(now, WINDOW));
    }

    public synchronized boolean pacing() {
        return pacing;
    }

    public synchronized boolean binding() {
        return binding;
    }

    /** Requests per second the gate releases now; 0 while the endpoint is not paced. */
    public synchronized double pacingRate(long now) {
        return pacing ? currentRate(now) : 0;
    }
}
