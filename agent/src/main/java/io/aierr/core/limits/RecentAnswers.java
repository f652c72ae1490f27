package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether an endpoint's failures that come with no hint of when to retry (a bare 429, 450, 503,
 * 529) are isolated: other requests to it succeed around them, and such failures are under 30 % of
 * its recent answers (a moving average over about 32). An isolated failure is one busy instance
 * among healthy ones, or a gateway's passing 429: the next request is most likely answered, so a
 * short wait costs the server nothing it would not pay anyway.
 *
 * <p>A failure can be isolated after a success within the second before its attempt was sent, or
 * since; a call's later failure is judged from its previous attempt. So a caller left nearly alone
 * among finished ones, or a sequential one, whose last call just succeeded, retries passing failures
 * soon (the call decides which failures may look back: a bare 429 may be a limit that binds, which
 * earlier successes do not rule out). A cold start, and an outage or a lone caller's failures once
 * a second has passed without a success, show no such success, and the full backoff applies; a
 * fresh outage's failures also push the share past the bar within about a dozen answers. Lock-free:
 * every answer of every call records here. Times are nanoseconds.
 */
public final class RecentAnswers {
    /**
     * Weight of the newest answer; about 32 answers make the average. Over 16 answers with a quarter
     * as the bar, failures at random (15 % of answers, bench/sporadic.sh's mix) looked as if they came
     * together for 18 % of them, each then backed off 500 ms and up: the run's slowest callers.
     */
    private static final double WEIGHT = 1.0 / 32;
    /** At or above this share of unhinted failures, they come together, not alone: about 7 in a row. */
    private static final double TOGETHER_FROM = 0.3;

    private static final long NONE_YET = Long.MIN_VALUE;
    /** How long before its attempt a success still says a call's first failure is a passing one. */
    private static final long RECENT = 1_000_000_000L;

    private final AtomicLong failureShareBits = new AtomicLong(Double.doubleToLongBits(0.0));
    private final AtomicLong lastSuccessAt = new AtomicLong(NONE_YET);

    public void succeeded(long now) {
        // nanoTime values are compared by their difference, which survives their wrapping around
        lastSuccessAt.accumulateAndGet(now, (last, next) -> last == NONE_YET || next - last > 0 ? next : last);
        addToShare(0.0);
    }

    /** An error answer: {@code unhinted} for a retryable failure that named no wait. */
    public void failed(boolean unhinted) {
        addToShare(unhinted ? 1.0 : 0.0);
    }

    /**
     * Whether a failure stands alone among good answers: another request succeeded after
     * {@code since} (when the failed attempt, or the call's previous one, was sent).
     *
     * @param lookBack whether a success within the second before {@code since} counts too: for a
     *                 failure that may be a passing one (a 450, 503 or 529, not a bare 429)
     */
    public boolean isolated(long since, boolean lookBack) {
        long success = lastSuccessAt.get();
        long from = lookBack ? since - RECENT : since;
        return success != NONE_YET && success - from > 0 && failureShare() < TOGETHER_FROM;
    }

    double failureShare() {
        return Double.longBitsToDouble(failureShareBits.get());
    }

    private void addToShare(double sample) {
        long bits;
        long next;
        do {
            bits = failureShareBits.get();
            double share = Double.longBitsToDouble(bits);
            next = Double.doubleToLongBits(share + WEIGHT * (sample - share));
        } while (!failureShareBits.compareAndSet(bits, next));
    }
}
