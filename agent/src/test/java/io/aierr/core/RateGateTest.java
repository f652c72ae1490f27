package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateGateTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000 * MS;

    private static RateCounters counters(String limit, String remaining, String reset) {
        return RateCounters.from(Headers.of(Map.of("x-ratelimit-limit-requests", List.of(limit),
                "x-ratelimit-remaining-requests", List.of(remaining), "x-ratelimit-reset-requests", List.of(reset))), 0);
    }

    @Test
    void anEndpointThatNeverThrottledIsNotSlowedDown() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, gate.reserve(T0 + i));
            gate.passed(T0 + i, counters("100", "50", "500ms"));
        }
        assertFalse(gate.pacing());
    }

    @Test
    void waitersOfOneThrottleAreReleasedOneByOneAtTheServersRate() {
        RateGate gate = new RateGate(true);
        // 20 requests per second: 5 used of 5 refill in 250 ms; aierr paces at 97 % of that
        gate.throttled(T0, T0 - 5 * MS, 50, counters("5", "0", "250ms"));
        long previous = -1;
        for (int i = 0; i < 10; i++) {
            long wait = gate.reserve(T0);
            assertTrue(wait >= 50 * MS, "nobody goes before the server's hint");
            if (previous >= 0) {
                assertEquals((long) (1e9 / (20 * 0.97)), wait - previous, "spaced by a hair over 1/rate");
            }
            previous = wait;
        }
    }

    @Test
    void anEmptyBucketOnASuccessHoldsTheNextRequestForOneRefill() {
        RateGate gate = new RateGate(true);
        gate.passed(T0, counters("5", "0", "250ms"));
        assertTrue(gate.pacing());
        assertEquals(50 * MS, gate.reserve(T0));
    }

    @Test
    void withoutCountersTheRateDropsToWhatSucceededOncePerRoundTrip() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 40; i++) { // 20 successes per second for two seconds
            gate.passed(T0 + i * 50 * MS, null);
        }
        long now = T0 + 2000 * MS;
        gate.throttled(now, now - 10 * MS, -1, null);
        double afterFirst = gate.pacingRate(now);
        assertEquals(20 * 0.95, afterFirst, 0.5, "a little below what passed, so the bucket can refill");
        // a wave of 429s for requests sent before that decrease is the same signal
        for (int i = 0; i < 20; i++) {
            gate.throttled(now + MS, now - 5 * MS, -1, null);
        }
        assertEquals(afterFirst, gate.pacingRate(now + MS), 0.01);
    }

    @Test
    void theRateRecoversAlongACubicCurveAndIsForgottenAfterQuiet() {
        RateGate gate = new RateGate(true);
        gate.passed(T0, null);
        gate.throttled(T0 + 100 * MS, T0, -1, null);
        double start = gate.pacingRate(T0 + 100 * MS);
        double later = gate.pacingRate(T0 + 3100 * MS);
        assertTrue(later > start, start + " -> " + later);
        assertEquals(0, gate.reserve(T0 + 40_000 * MS), "a limit quiet for 30 s is lifted");
        assertFalse(gate.pacing());
    }

    @Test
    void withNothingPassedLatelyOnlyTheServersHintHoldsCallers() {
        RateGate gate = new RateGate(true);
        gate.throttled(T0, T0, 1000, null);
        assertFalse(gate.pacing(), "no rate is known yet");
        assertEquals(1000 * MS, gate.reserve(T0));
        gate.throttled(T0 + 1000 * MS, T0 + 1000 * MS, 300, null);
        assertEquals(300 * MS, gate.reserve(T0 + 1000 * MS), "the second hint is honored as is, not stretched");
    }

    @Test
    void withoutAdaptiveRateOnlyTheServersHintsHoldRequests() {
        RateGate gate = new RateGate(false);
        gate.throttled(T0, T0, 100, null);
        assertEquals(100 * MS, gate.reserve(T0));
        assertEquals(100 * MS, gate.reserve(T0), "no spacing without a rate");
    }

    @Test
    void countersGiveTheRefillRate() {
        assertEquals(20.0, counters("5", "0", "250ms").refillRate(), 1e-9);
        assertEquals(8.33, counters("500", "499", "120ms").refillRate(), 0.01);
        assertEquals(0.0, counters("500", "500", "0s").refillRate(), 1e-9);
        assertEquals(null, counters("5", "9", "1s"));
        assertEquals(null, counters("x", "1", "1s"));
    }
}
