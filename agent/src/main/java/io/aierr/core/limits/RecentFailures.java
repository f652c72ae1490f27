package io.aierr.core.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many of an endpoint's recent answers were failures that come with no hint of when to retry
 * (a bare 429, 450, 503, 529): a moving average over about the last 16 answers. While that share is
 * low, such a failure is isolated (one busy instance among healthy ones, a gateway's passing 429),
 * and the next request is likely answered: retrying it after a short wait costs the server nothing
 * it would not pay anyway. A fresh endpoint starts as if every answer had failed, so a short
 * outage met first is backed off in full, and only a run of successes earns the short wait.
 * Lock-free: every answer of every call records here.
 */
public final class RecentFailures {
    /** Weight of the newest answer; about 16 answers make the average. */
    private static final double WEIGHT = 1.0 / 16;
    /** Below this share of unhinted failures, one is isolated. */
    private static final double ISOLATED_BELOW = 0.25;

    private final AtomicLong shareBits = new AtomicLong(Double.doubleToLongBits(1.0));

    /** One answer of the endpoint: {@code failedWithoutHint} for a retryable failure that named no wait. */
    public void answered(boolean failedWithoutHint) {
        double sample = failedWithoutHint ? 1.0 : 0.0;
        long bits;
        long next;
        do {
            bits = shareBits.get();
            double share = Double.longBitsToDouble(bits);
            next = Double.doubleToLongBits(share + WEIGHT * (sample - share));
        } while (!shareBits.compareAndSet(bits, next));
    }

    /** Whether the endpoint's latest unhinted failure stands among mostly good answers. */
    public boolean isolated() {
        return share() < ISOLATED_BELOW;
    }

    double share() {
        return Double.longBitsToDouble(shareBits.get());
    }
}
