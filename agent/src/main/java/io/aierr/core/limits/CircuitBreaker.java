package io.aierr.core.limits;

/**
 * Stops sending to an endpoint whose every instance keeps failing (PAI-EAS 450 from stuck
 * workers, 503 no healthy upstream): after {@code threshold} outage answers in a row it opens,
 * and calls are answered at once with a copy of the last outage answer instead of queueing behind
 * retries that cannot succeed. After the open time one probe call goes through (half-open); its success
 * closes the breaker, its failure opens it again for twice as long (up to a minute).
 * Thread-safe; times are nanoseconds.
 */
public final class CircuitBreaker {
    private static final long MAX_OPEN = 60_000_000_000L;

    private final int threshold;
    private final long openNanos;
    private int consecutiveOutages;
    private long openUntil = Long.MIN_VALUE;
    private long currentOpen;
    private boolean probeInFlight;
    private long probeTicket;
    private AnswerCopy lastOutage;

    /** @param threshold outage answers in a row that open it; 0 or less turns it off */
    public CircuitBreaker(int threshold, long openMillis) {
        this.threshold = threshold;
        this.openNanos = openMillis * 1_000_000L;
        this.currentOpen = openNanos;
    }

    public static final long REJECTED = -1;
    public static final long ADMITTED = 0;

    /**
     * May a call send now?
     *
     * @return {@link #ADMITTED}, {@link #REJECTED}, or a positive probe ticket when this call is
     *         the half-open probe (hand it back to {@link #probeEnded})
     */
    public synchronized long admit(long now, boolean firstAttempt) {
        if (threshold <= 0 || consecutiveOutages < threshold) {
            return ADMITTED;
        }
        if (now < openUntil || probeInFlight || !firstAttempt) {
            return REJECTED;
        }
        probeInFlight = true;
        return ++probeTicket;
    }

    /** What a rejected call gets: a copy of the last outage answer. */
    public synchronized Refusal refusal(long now, String endpoint) {
        return new Refusal(Refusal.Reason.CIRCUIT_OPEN, lastOutage, "circuit open for " + endpoint + " after "
                + consecutiveOutages + " outage answers in a row, last: " + lastOutage.error + "; answering without "
                + "sending for " + Math.max(0, openUntil - now) / 1_000_000L + "ms more");
    }

    /**
     * An attempt's answer: {@code outage} (a copy of it) for a retryable server-side failure (450, 503,
     * 529...), null for any other answer.
     */
    public synchronized void record(long now, AnswerCopy outage) {
        if (outage == null) {
            consecutiveOutages = 0;
            currentOpen = openNanos;
            probeInFlight = false;
            return;
        }
        lastOutage = outage;
        consecutiveOutages++;
        if (threshold > 0 && consecutiveOutages >= threshold && (probeInFlight || now >= openUntil)) {
            if (probeInFlight) {
                currentOpen = Math.min(MAX_OPEN, currentOpen * 2);
            }
            probeInFlight = false;
            openUntil = now + currentOpen;
        }
    }

    /** The call that held this probe ticket ended; frees the probe if no answer did. */
    public synchronized void probeEnded(long ticket) {
        if (ticket == probeTicket) {
            probeInFlight = false;
        }
    }
}
