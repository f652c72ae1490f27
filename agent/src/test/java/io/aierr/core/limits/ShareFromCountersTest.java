package io.aierr.core.limits;

import io.aierr.core.Headers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A bucket of 10,000 tokens refilling 10,000 a second, as bench/tokens.sh's server. */
class ShareFromCountersTest {
    private static final long MS = 1_000_000L;
    private static final double RATE = 10_000;

    private static RateCounters remaining(long left) {
        return RateCounters.from(Headers.of(Map.of("x-ratelimit-limit-requests", List.of("10000"),
                "x-ratelimit-remaining-requests", List.of(Long.toString(left)),
                "x-ratelimit-reset-requests", List.of("1s"))), 0);
    }

    @Test
    void countersFallingFasterThanItsSuccessesLeaveAJvmItsShare() {
        ShareFromCounters share = new ShareFromCounters();
        for (int i = 0; i <= 40; i++) { // the bucket stays low; a quarter of what the server accepts is this JVM's
            share.passed(250);
            share.answered(i * 100 * MS, remaining(500), RATE);
        }
        assertEquals(0.25, share.share(), 0.01);
    }

    @Test
    void aWindowInWhichTheBucketMayHaveFilledSaysNothingOfOthers() {
        ShareFromCounters halfFull = new ShareFromCounters();
        ShareFromCounters longGap = new ShareFromCounters();
        for (int w = 0; w < 10; w++) { // a large request waits its turn; the bucket refills meanwhile, unspent
            long start = w * 1_000 * MS;
            halfFull.answered(start, remaining(500), RATE);
            halfFull.answered(start + 400 * MS, remaining(6_000), RATE);
            halfFull.passed(100);
            halfFull.answered(start + 600 * MS, remaining(500), RATE);
            longGap.answered(start, remaining(500), RATE);
            longGap.passed(100);
            longGap.answered(start + 999 * MS, remaining(500), RATE); // 950 ms fill it from 500
        }
        assertEquals(1, halfFull.share(), "an answer showed the bucket half full");
        assertEquals(1, longGap.share(), "no answer for longer than the bucket takes to fill");
    }
}
