package io.aierr.core.limits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One endpoint's limits as this JVM sees the fleet that shares them: this JVM's share of the
 * limit, a hold another JVM's 429 set, a breaker another JVM opened, and the others' retry budget
 * counts. The gates read it and report what they learn to it without
 * waiting; a {@link Fleet} carries it to and from the other JVMs. Alone (local mode, or while the
 * fleet cannot be reached) only this JVM's own 429s hold it, and its share is what the server's
 * counters leave it (whole, unless they show others spending the same key).
 *
 * <p>Times are {@link System#nanoTime()} nanoseconds of this JVM; the fleet converts them to
 * durations on the way out and back, so that JVMs need no common clock.
 */
public final class FleetView {
    private static final long NONE = Long.MIN_VALUE;

    /**
     * The same in every JVM for the same endpoint and API key: host, port, and the first 64 bits of
     * the key's SHA-256 (never the key itself: it names Redis keys other programs can read).
     */
    public final String key;
    private final AtomicInteger inProgress;
    /** The share the fleet gave this JVM; NaN while no fleet is reached. */
    private volatile double fleetShare = Double.NaN;
    private volatile long fleetHeldUntil = NONE;
    private volatile long fleetOpenUntil = NONE;
    private volatile double place;
    private volatile long othersCalls;
    private volatile long othersRetries;
    /** A hold this JVM learned and has not told yet. */
    private final AtomicLong holdToTell = new AtomicLong(NONE);
    /** The end of this JVM's breaker's open time, not told yet. */
    private final AtomicLong openToTell = new AtomicLong(NONE);
    /** The calls and retries in this JVM's retry budget's window. */
    private volatile long calls;
    private volatile long retries;
    /** The whole endpoint's rate, requests per second, as this JVM last learned it and has not told; 0 when none. */
    private final AtomicLong rateToTell = new AtomicLong();
    /** The rate a JVM of the fleet learned last, and the number of that lesson (it changes with each). */
    private volatile double fleetRate;
    private volatile long fleetRateLesson;
    private volatile String tokensToTell = "";
    /** This JVM's successes so far, and the fleet thread's readings of that count: see {@link #passRate}. */
    private final AtomicLong passes = new AtomicLong();
    private final long[] passReadAt = new long[64];
    private final long[] passesRead = new long[passReadAt.length];
    private int passReadings;
    /** Successes per second at the other JVMs, lately; NaN while no fleet is reached. */
    private volatile double othersPassRate = Double.NaN;
    /** This JVM's token passes per second, per bucket, as the fleet is told them: see {@link #tokenPasses}. */
    private volatile Supplier<String> tokenPasses = () -> "";
    /** Tokens per second the other JVMs' successes spent lately, per bucket; null while no fleet is reached. */
    private volatile Map<String, Double> othersTokenPasses;
    private volatile Runnable tell = () -> { };

    FleetView(String authority, String credential, AtomicInteger inProgress) {
        this.key = credential == null ? authority : authority + ':' + fingerprint(credential);
        this.inProgress = inProgress;
    }

    /** A view that no fleet carries: for limits made without one. */
    static FleetView ofThisJvmOnly() {
        return new FleetView("", null, new AtomicInteger());
    }

    AtomicInteger inProgress() {
        return inProgress;
    }

    /**
     * This JVM's share of the endpoint's limit, (0, 1]: the fleet's word while it is reached, else
     * {@code byCounters}, what the server's counters leave this JVM (see {@link ShareFromCounters}).
     */
    double shareOr(double byCounters) {
        double given = fleetShare;
        return Double.isNaN(given) ? byCounters : given;
    }

    /** Until when (nanoTime) another JVM's 429 holds the endpoint, or {@code Long.MIN_VALUE}. */
    long heldUntil() {
        return fleetHeldUntil;
    }

    /** This JVM's gate holds the endpoint until {@code untilNanos}: the others hear of it at once. */
    void held(long untilNanos) {
        holdToTell.accumulateAndGet(untilNanos, Math::max);
        tell.run();
    }

    /** This JVM's place among the fleet's, [0, 1): its turn within one round of the fleet's paced calls. */
    double place() {
        return place;
    }

    /** Until when (nanoTime) another JVM's breaker is open, or {@code Long.MIN_VALUE}. */
    long breakerOpenUntil() {
        return fleetOpenUntil;
    }

    /** This JVM's breaker opened until {@code untilNanos}: the others hear of it at once. */
    void breakerOpened(long untilNanos) {
        openToTell.accumulateAndGet(untilNanos, Math::max);
        tell.run();
    }

    /** The calls and retries in this JVM's retry budget's window, for the others' budgets. */
    void budgetCounted(long calls, long retries) {
        this.calls = calls;
        this.retries = retries;
    }

    /** The other JVMs' calls in the retry budget's window. */
    long othersCalls() {
        return othersCalls;
    }

    /** The other JVMs' retries in the retry budget's window. */
    long othersRetries() {
        return othersRetries;
    }

    /** The whole endpoint's rate as this JVM's gate learned it, requests per second: the others hear of it. */
    void learnedRate(double requestsPerSecond) {
        rateToTell.set(Double.doubleToLongBits(requestsPerSecond));
    }

    /** A token bucket's counters as this JVM last read them (for the fleet's status): remaining, limit, refill per second. */
    void tokensSeen(long remaining, long limit, double refillPerSecond) {
        tokensToTell = remaining + ":" + limit + ":" + Math.round(refillPerSecond);
    }

    /** The token counters this JVM read since it last told, {@code remaining:limit:refill}, once; empty when none. */
    public String takeTokens() {
        String seen = tokensToTell;
        tokensToTell = "";
        return seen;
    }

    /** A success of this JVM: the others count it in the fleet's pass rate. */
    void passed() {
        passes.incrementAndGet();
    }

    /**
     * The other JVMs' successes per second, lately; NaN while no fleet is reached. With this JVM's own,
     * what passes the server: a rate learned from a throttle is the fleet's, not this JVM's guessed
     * from its share (a few passes more or less in a window would teach every JVM a rate off by as many).
     */
    double othersPassRate() {
        return othersPassRate;
    }

    /**
     * This JVM's successes per second over about the gate's window, from the count read at each call
     * (the fleet's thread only): counted from the last reading before the first of them, so that a
     * quiet spell before the load does not dilute the rate, and over at least the gate's shortest span.
     */
    public double passRate(long now) {
        long count = passes.get();
        int slot = passReadings++ % passReadAt.length;
        passReadAt[slot] = now;
        passesRead[slot] = count;
        long since = now;
        long first = count;
        for (int back = 1; back < Math.min(passReadings, passReadAt.length); back++) {
            int i = Math.floorMod(slot - back, passReadAt.length);
            if (now - passReadAt[i] > RateGate.WINDOW) {
                break;
            }
            if (passesRead[i] < first) {
                first = passesRead[i];
                since = passReadAt[i];
            }
        }
        return (count - first) * 1e9 / Math.max(RateGate.MIN_WINDOW, now - since);
    }

    /** Where {@link #tokenPasses} reads this JVM's token passes: the endpoint's token gate. */
    void tokenPassesFrom(Supplier<String> passes) {
        tokenPasses = passes;
    }

    /**
     * Tokens per second this JVM's successes spent lately, per bucket, as {@code bucket=tokens} pairs
     * joined by commas (the buckets named by {@link TokenGate}'s hashes, never by a model's name).
     */
    public String tokenPasses() {
        return tokenPasses.get();
    }

    /**
     * Tokens per second the other JVMs' successes spent lately in one bucket; NaN while no fleet is
     * reached. With this JVM's own, what passed the server's bucket: a token 429's lesson is then the
     * bucket's rate, not this JVM's passes over its share.
     */
    double othersTokenPassRate(String bucket) {
        Map<String, Double> others = othersTokenPasses;
        return others == null ? Double.NaN : others.getOrDefault(bucket, 0.0);
    }

    /** The fleet's token passes per bucket, less this JVM's {@code own} as it told them. */
    public void heardTokenPasses(String fleet, String own) {
        Map<String, Double> others = parse(fleet);
        parse(own).forEach((bucket, tokens) -> others.merge(bucket, -tokens, Double::sum));
        others.replaceAll((bucket, tokens) -> Math.max(0, tokens));
        othersTokenPasses = others;
    }

    private static Map<String, Double> parse(String pairs) {
        Map<String, Double> parsed = new HashMap<>();
        for (String pair : pairs.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    parsed.merge(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)), Double::sum);
                } catch (NumberFormatException ignored) {
                    // not a number Java reads (Lua writes an infinity as inf): left out
                }
            }
        }
        return parsed;
    }

    /** The rate another JVM (or this one) learned last, requests per second; 0 when none. */
    double fleetRate() {
        return fleetRate;
    }

    /** Changes each time a JVM of the fleet learns a rate: the gates take each lesson once. */
    long fleetRateLesson() {
        return fleetRateLesson;
    }

    /** Calls this JVM has in progress to the endpoint: its demand, which sets its share. */
    public int demand() {
        return inProgress.get();
    }

    /** The rate this JVM learned since it last told, requests per second, once; 0 when there is none to tell. */
    public double takeRate() {
        return Double.longBitsToDouble(rateToTell.getAndSet(0));
    }

    /** Calls in this JVM's retry budget's window. */
    public long calls() {
        return calls;
    }

    /** Retries in this JVM's retry budget's window. */
    public long retries() {
        return retries;
    }

    /** Milliseconds from {@code now} that a hold this JVM learned lasts, once; 0 when there is none to tell. */
    public long takeHold(long now) {
        return millisFrom(now, holdToTell.getAndSet(NONE));
    }

    /** Milliseconds from {@code now} that this JVM's breaker stays open, once; 0 when there is nothing to tell. */
    public long takeBreakerOpen(long now) {
        return millisFrom(now, openToTell.getAndSet(NONE));
    }

    /**
     * What the fleet said, with durations from {@code now} (0: none).
     *
     * @param share         this JVM's share of the endpoint's limit
     * @param heldMillis    how long a 429's hint holds the endpoint
     * @param openMillis    how long a JVM's breaker stays open
     * @param othersCalls   the other JVMs' calls in the retry budget's window
     * @param othersRetries their retries in it
     * @param place         this JVM's place among the fleet's, [0, 1): when the calls held by a hold resume,
     *                      the JVMs go in this order, not all at the instant the hold ends
     * @param rate          the rate a JVM learned last, requests per second (0: none), and the number of
     *                      that lesson
     * @param othersPassRate the other JVMs' successes per second, lately
     */
    public void heard(long now, double share, long heldMillis, long openMillis, long othersCalls, long othersRetries,
                      double place, double rate, long rateLesson, double othersPassRate) {
        this.othersPassRate = othersPassRate;
        this.place = place;
        this.fleetRate = rate;
        this.fleetRateLesson = rateLesson;
        this.fleetShare = Math.max(0.01, Math.min(1, share));
        this.fleetHeldUntil = heldMillis > 0 ? now + heldMillis * 1_000_000L : NONE;
        this.fleetOpenUntil = openMillis > 0 ? now + openMillis * 1_000_000L : NONE;
        this.othersCalls = othersCalls;
        this.othersRetries = othersRetries;
    }

    /** The fleet cannot be reached: this JVM goes on alone, with the share the counters leave it. */
    public void alone() {
        fleetShare = Double.NaN;
        place = 0;
        fleetHeldUntil = NONE;
        fleetOpenUntil = NONE;
        othersCalls = 0;
        othersRetries = 0;
        othersPassRate = Double.NaN;
        othersTokenPasses = null;
    }

    private static long millisFrom(long now, long until) {
        return until == NONE ? 0 : Math.max(0, (until - now + 999_999) / 1_000_000L);
    }

    /** How the fleet hears of a hold at once rather than at its next exchange. */
    public void whenHeld(Runnable tell) {
        this.tell = tell;
    }

    private static String fingerprint(String credential) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                hex.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
