package io.aierr.core;

/**
 * Stops sending to an endpoint whose every instance keeps failing (PAI-EAS 450 from stuck
 * workers, 503 no healthy upstream): after {@code threshold} outage answers in a row it opens,
 * and calls fail at once with the last classified error instead of queueing behind retries
 * that cannot succeed. After the open time one probe call goes through (half-open); its success
 * closes the breaker, its failure opens it again for twice as long (up to a minute).
 * Thread-safe; times are nanoseconds.
 */
final class CircuitBreaker {
    private static final long MAX_OPEN = 60_000_000_000L;

    private final int threshold;
    private final long openNanos;
    private int consecutiveOutages;
    private long openUntil = Long.MIN_VALUE;
    private long currentOpen;
    private boolean probeInFlight;
    private long probeTicket;
    private ClassifiedError lastError;

    /** @param threshold outage answers in a row that open it; 0 or less turns it off */
    CircuitBreaker(int threshold, long openMillis) {
        this.threshold = threshold;
        this.openNanos = openMillis * 1_000_000L;
        this.currentOpen = openNanos;
    }

    static final long REJECTED = -1;
    static final long ADMITTED = 0;

    /**
     * May a call send now?
     *
     * @return {@link #ADMITTED}, {@link #REJECTED}, or a positive probe ticket when this call is
     *         the half-open probe (hand it back to {@link #probeEnded})
     */
    synchronized long admit(long now, boolean firstAttempt) {
        if (threshold <= 0 || consecutiveOutages < threshold) {
            return ADMITTED;
        }
        if (now < openUntil || probeInFlight || !firstAttempt) {
            return REJECTED;
        }
        probeInFlight = true;
        return ++probeTicket;
    }

    /** The failure a rejected call gets. */
    synchronized CircuitOpenException openError(long now, String endpoint) {
        return new CircuitOpenException(endpoint, consecutiveOutages, lastError,
                Math.max(0, openUntil - now) / 1_000_000L);
    }

    /** An attempt's answer: {@code outage} for a retryable server-side failure (450, 503, 529...). */
    synchronized void record(long now, boolean outage, ClassifiedError error) {
        if (!outage) {
            consecutiveOutages = 0;
            currentOpen = openNanos;
            probeInFlight = false;
            return;
        }
        lastError = error;
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
    synchronized void probeEnded(long ticket) {
        if (ticket == probeTicket) {
            probeInFlight = false;
        }
    }
}
