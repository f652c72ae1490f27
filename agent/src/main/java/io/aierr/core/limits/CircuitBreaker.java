package io.aierr.core.limits;

/**
 * Stops sending to an endpoint whose every instance keeps failing (PAI-EAS 450 from stuck
 * workers, 503 no healthy upstream): after {@code threshold} outage answers in a row it opens,
 * and calls are answered at once with a copy of the last outage answer instead of queueing behind
 * retries that cannot succeed. After the open time one probe call goes through (half-open); its success
 * closes the breaker, its failure opens it again for twice as long (up to a minute). A breaker
 * another JVM of the fleet opened is open here too, for calls of a JVM that met the outage lately.
 * Thread-safe; times are nanoseconds.
 */
public final class CircuitBreaker {
    private static final long MAX_OPEN = 60_000_000_000L;
    /** An outage answer older than this is no copy to answer with when another JVM's breaker opens. */
    private static final long FLEET_OUTAGE_RECENT = 60_000_000_000L;

    private final int threshold;
    private final long openNanos;
    private int consecutiveOutages;
    private long openUntil = Long.MIN_VALUE;
    private long currentOpen;
    private boolean probeInFlight;
    private long probeTicket;
    private AnswerCopy lastOutage;
    private long lastOutageAt;
    private final FleetView fleet;
    /**
     * No outage since the last other answer and no probe out: a success has nothing to reset and a
     * call is admitted unless the fleet's breaker is open. Read without the lock, which every answer
     * of a busy endpoint would otherwise queue on.
     */
    private volatile boolean quiet = true;

    /** @param threshold outage answers in a row that open it; 0 or less turns it off */
    public CircuitBreaker(int threshold, long openMillis) {
        this(threshold, openMillis, FleetView.ofThisJvmOnly());
    }

    /** @param fleet the other JVMs sharing the endpoint: a breaker one of them opens is open here too */
    CircuitBreaker(int threshold, long openMillis, FleetView fleet) {
        this.threshold = threshold;
        this.openNanos = openMillis * 1_000_000L;
        this.currentOpen = openNanos;
        this.fleet = fleet;
    }

    public static final long REJECTED = -1;
    public static final long ADMITTED = 0;

    /**
     * May a call send now?
     *
     * @return {@link #ADMITTED}, {@link #REJECTED}, or a positive probe ticket when this call is
     *         the half-open probe (hand it back to {@link #probeEnded})
     */
    public long admit(long now, boolean firstAttempt) {
        if (threshold <= 0 || quiet && fleet.breakerOpenUntil() <= now) {
            return ADMITTED;
        }
        synchronized (this) {
            return admitLocked(now, firstAttempt);
        }
    }

    private long admitLocked(long now, boolean firstAttempt) {
        if (consecutiveOutages < threshold) {
            return openInTheFleet(now) ? REJECTED : ADMITTED;
        }
        if (now < openUntil || probeInFlight || !firstAttempt) {
            return REJECTED;
        }
        probeInFlight = true;
        quiet = false;
        return ++probeTicket;
    }

    /** What a rejected call gets: a copy of the last outage answer. */
    public synchronized Refusal refusal(long now, String endpoint) {
        if (consecutiveOutages < threshold) {
            return new Refusal(Refusal.Reason.CIRCUIT_OPEN, lastOutage, "circuit open for " + endpoint + " in the "
                    + "fleet (another JVM met " + threshold + " outage answers in a row), last here: " + lastOutage.error
                    + "; answering without sending for " + Math.max(0, fleet.breakerOpenUntil() - now) / 1_000_000L
                    + "ms more");
        }
        return new Refusal(Refusal.Reason.CIRCUIT_OPEN, lastOutage, "circuit open for " + endpoint + " after "
                + consecutiveOutages + " outage answers in a row, last: " + lastOutage.error + "; answering without "
                + "sending for " + Math.max(0, openUntil - now) / 1_000_000L + "ms more");
    }

    /**
     * An attempt's answer: {@code outage} (a copy of it) for a retryable server-side failure (450, 503,
     * 529...), null for any other answer.
     */
    public void record(long now, AnswerCopy outage) {
        if (outage == null && quiet) {
            return;
        }
        synchronized (this) {
            recordLocked(now, outage);
        }
    }

    private void recordLocked(long now, AnswerCopy outage) {
        if (outage == null) {
            consecutiveOutages = 0;
            currentOpen = openNanos;
            probeInFlight = false;
            quiet = true;
            return;
        }
        quiet = false;
        lastOutage = outage;
        lastOutageAt = now;
        consecutiveOutages++;
        if (threshold > 0 && consecutiveOutages >= threshold && (probeInFlight || now >= openUntil)) {
            if (probeInFlight) {
                currentOpen = Math.min(MAX_OPEN, currentOpen * 2);
            }
            probeInFlight = false;
            openUntil = now + currentOpen;
            fleet.breakerOpened(openUntil);
        }
    }

    /**
     * Another JVM's breaker is open and this one met the outage lately: it answers with its own copy
     * of it. One that has not met it sends, as it has no answer to copy, and meets it at most once.
     */
    private boolean openInTheFleet(long now) {
        return lastOutage != null && now - lastOutageAt < FLEET_OUTAGE_RECENT && fleet.breakerOpenUntil() > now;
    }

    /** The call that held this probe ticket ended; frees the probe if no answer did. */
    public synchronized void probeEnded(long ticket) {
        if (ticket == probeTicket) {
            probeInFlight = false;
        }
    }
}
