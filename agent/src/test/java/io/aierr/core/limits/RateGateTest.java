package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.BackoffSource;

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

    private static long waitOf(RateGate gate, long now, long earliest) {
        return gate.reserve(now, earliest, false).waitNanos;
    }

    @Test
    void anEndpointThatNeverThrottledIsNotSlowedDown() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 100; i++) {
            assertEquals(RateGate.Turn.OWN_TIME, gate.reserve(T0 + i, T0 + i, false));
            gate.passed(T0 + i, counters("100", "50", "500ms"));
        }
        assertFalse(gate.binding());
    }

    @Test
    void countersFallingFasterThanItsOwnSuccessesPaceAJvmToItsShare() {
        // 20 requests per second (5 refill in 250 ms), the bucket always empty: whatever this JVM does
        // not take, others sharing the key do
        RateGate crowded = new RateGate(true);
        RateGate alone = new RateGate(true);
        for (int i = 0; i <= 40; i++) {
            crowded.passed(T0 + i * 200 * MS, counters("5", "0", "250ms")); // 5 of the 20 per second are its own
        }
        for (int i = 0; i <= 160; i++) {
            alone.passed(T0 + i * 50 * MS, counters("5", "0", "250ms")); // all 20 are its own
        }
        assertEquals(20 * 0.97 / 4, crowded.pacingRate(T0 + 8_000 * MS), 0.5, "a quarter of the limit is left to it");
        assertEquals(20 * 0.97, alone.pacingRate(T0 + 8_000 * MS), 0.5);
    }

    @Test
    void sporadicThrottlesAmongSuccessesHoldNoOneElse() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 1000; i++) { // a gateway's "peak load" 429s: one answer in five, with short hints
            long now = T0 + i * MS;
            if (i % 5 == 0) {
                gate.throttled(now, now - MS, 30, null, null);
            } else {
                gate.passed(now, null);
            }
            assertEquals(RateGate.Turn.OWN_TIME, gate.reserve(now, now, false), "call " + i);
        }
        assertFalse(gate.binding());
        assertEquals(0, gate.pacingRate(T0 + 1000 * MS));
    }

    @Test
    void throttlesThatComeWhateverTheRateNeverPaceItToACrawl() {
        RateGate gate = new RateGate(true);
        long t = T0;
        gate.throttled(t, t - MS, 30, null, null); // two 429s before the first success: a limit, it seems
        gate.throttled(t, t - MS, 30, null, null);
        assertTrue(gate.binding());
        for (int i = 0; i < 100; i++) { // 100 successes per second, unpaced, then a 429 sets the pace
            t += 10 * MS;
            gate.passed(t, null);
        }
        gate.throttled(t, t - MS, 30, null, null);
        // then one answer in five is a 429 at whatever rate the gate paces to: each would lower the
        // rate to what passed, which is itself paced
        for (int i = 1; i <= 1000; i++) {
            t += Math.max(10 * MS, gate.reserve(t, t, false).waitNanos);
            if (i % 5 == 0) {
                gate.throttled(t, t - MS, 30, null, null);
            } else {
                gate.passed(t, null);
            }
        }
        assertFalse(gate.pacing(), "paced at " + gate.pacingRate(t) + "/s: throttled at its floor (half of the 100/s "
                + "that passed unpaced), the gate knows the 429s come whatever the rate, and stops pacing");
    }

    @Test
    void aColdStartsFirstFewSuccessesSetNoPace() {
        RateGate gate = new RateGate(true);
        long t = T0;
        // the first answers of 16 callers: a success, then two 429s, all within 3 ms
        gate.passed(t + MS, null);
        gate.throttled(t + 2 * MS, t, 30, null, null);
        gate.throttled(t + 3 * MS, t, 30, null, null);
        assertTrue(gate.binding(), "as many 429s as successes: a limit may bind, and its hints hold callers");
        assertFalse(gate.pacing(), "one success in 3 ms is no rate: paced at it (4/s over the minimum window), "
                + "16 callers would crawl");
        for (int i = 0; i < 100; i++) { // unpaced, 1000 successes per second pass
            t += MS;
            gate.passed(t, null);
        }
        gate.throttled(t, t - MS, 30, null, null);
        assertEquals(101 / 0.25 * 0.95, gate.pacingRate(t), 0.1, "paced a little below what passed (101 in the "
                + "minimum window)");
    }

    @Test
    void waitersOfABindingLimitAreReleasedOneByOneAtTheServersRate() {
        RateGate gate = new RateGate(true);
        // 20 requests per second: 5 used of 5 refill in 250 ms; aierr paces at 97 % of that
        gate.throttled(T0, T0 - 5 * MS, 50, counters("5", "0", "250ms"), null);
        assertTrue(gate.binding(), "the counters say the bucket is empty");
        long previous = -1;
        for (int i = 0; i < 10; i++) {
            long wait = waitOf(gate, T0, T0);
            assertTrue(wait >= 50 * MS, "nobody goes before the server's hint");
            if (previous >= 0) {
                assertEquals((long) (1e9 / (20 * 0.97)), wait - previous, "spaced by a hair over 1/rate");
            }
            previous = wait;
        }
    }

    @Test
    void wholeRemainingCountsDoNotTeachARateAboveTheServers() {
        // a bucket of 5 refilling 20 per second, read at levels between whole requests: 0.9 left shows
        // as 0 remaining, 205 ms to full, which alone says 24 per second; the last answer alone, 2.4
        // left (2 remaining, 130 ms), says 23
        RateGate gate = new RateGate(true);
        double[] levels = {0.9, 0.2, 1.95, 0.5, 3.7, 0.05, 2.4};
        for (int i = 0; i < levels.length; i++) {
            long millisToFull = (long) Math.ceil((5 - levels[i]) / 20 * 1000);
            gate.passed(T0 + i * MS, counters("5", Integer.toString((int) levels[i]), millisToFull + "ms"));
        }
        double paced = gate.pacingRate(T0 + 10 * MS);
        assertTrue(paced <= 20 && paced >= 19, "paced at " + paced + " per second");
    }

    @Test
    void anEmptyBucketOnASuccessHoldsTheNextRequestForOneRefill() {
        RateGate gate = new RateGate(true);
        gate.passed(T0, counters("5", "0", "250ms"));
        assertTrue(gate.pacing());
        RateGate.Turn turn = gate.reserve(T0, T0, true);
        assertEquals(50 * MS, turn.waitNanos);
        assertEquals(BackoffSource.HELD, turn.cause);
    }

    @Test
    void withoutCountersTheRateDropsToWhatSucceededOncePerRoundTrip() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 40; i++) { // 20 successes per second for two seconds
            gate.passed(T0 + i * 50 * MS, null);
        }
        long now = T0 + 2000 * MS;
        for (int i = 0; i < 40; i++) { // throttled as often as passed: the limit binds
            gate.throttled(now, now - 10 * MS, -1, null, null);
        }
        assertTrue(gate.binding());
        double afterFirst = gate.pacingRate(now);
        assertEquals(20 * 0.95, afterFirst, 0.5, "a little below what passed, so the bucket can refill");
        // a wave of 429s for requests sent before that decrease is the same signal
        for (int i = 0; i < 20; i++) {
            gate.throttled(now + MS, now - 5 * MS, -1, null, null);
        }
        assertEquals(afterFirst, gate.pacingRate(now + MS), 0.01);
    }

    @Test
    void withAFleetTheRateLearnedFromThrottlesIsWhatPassedTheServer() {
        // a quarter of the fleet's demand, this JVM got 8 of the 20 successes per second lately; the
        // others counted 12: the endpoint's rate is 20, not this JVM's 8 over its quarter
        FleetView view = new FleetView("host:443", "sk-key", new java.util.concurrent.atomic.AtomicInteger());
        RateGate gate = new RateGate(true, view);
        view.heard(T0, 0.25, 0, 0, 0, 0, 0, 0, 0, 12);
        for (int i = 0; i < 16; i++) {
            gate.passed(T0 + i * 125 * MS, null);
        }
        long now = T0 + 2_000 * MS;
        for (int i = 0; i < 16; i++) { // as many 429s as successes: the limit binds
            gate.throttled(now, now - 5 * MS, -1, null, null);
        }
        assertTrue(gate.pacing());
        assertEquals(20 * 0.95 * 0.25, gate.pacingRate(now), 0.1);
    }

    @Test
    void theRateRecoversAlongACubicCurveAndIsForgottenAfterQuiet() {
        RateGate gate = new RateGate(true);
        for (int i = 0; i < 8; i++) {
            gate.passed(T0 + i * MS, null);
        }
        for (int i = 0; i < 8; i++) {
            gate.throttled(T0 + 100 * MS, T0, -1, null, null);
        }
        double start = gate.pacingRate(T0 + 100 * MS);
        double later = gate.pacingRate(T0 + 3100 * MS);
        assertTrue(start > 0 && later > start, start + " -> " + later);
        assertEquals(RateGate.Turn.OWN_TIME, gate.reserve(T0 + 40_000 * MS, T0 + 40_000 * MS, false),
                "a limit quiet for 30 s is lifted");
        assertFalse(gate.pacing());
    }

    @Test
    void aLoneCallerWaitsItsOwnHintAndNeverSpiralsDown() {
        RateGate gate = new RateGate(true);
        long now = T0;
        for (int i = 0; i < 300; i++) { // every call: 429 with retry-after-ms 1, then 200
            assertEquals(RateGate.Turn.OWN_TIME, gate.reserve(now, now, true), "call " + i + " goes at once");
            now += 2 * MS;
            gate.throttled(now, now - 2 * MS, 1, null, null);
            RateGate.Turn retry = gate.reserve(now, now + MS, true);
            assertEquals(RateGate.Turn.OWN_TIME, retry, "call " + i + " waits its hint, not a learned pace");
            now += 3 * MS;
            gate.passed(now, null);
        }
        assertTrue(gate.binding(), "429s are half of the answers: the limit binds, for any other caller");
    }

    @Test
    void aLoneCallersHintIsNotStretchedByTheServersRateButConcurrentCallsAreSpaced() {
        RateGate gate = new RateGate(true);
        // 3 requests per second by the counters: a spacing of about 340 ms
        gate.throttled(T0, T0 - 5 * MS, 250, counters("3", "0", "1s"), null);
        assertEquals(250 * MS, gate.reserve(T0, T0, true).waitNanos, "a first attempt waits for the hold");
        long later = T0 + 2000 * MS;
        gate.throttled(later, later - 5 * MS, 250, counters("3", "0", "1s"), null);
        assertEquals(RateGate.Turn.OWN_TIME, gate.reserve(later, later + 250 * MS, true),
                "a lone caller's retry goes at its own hint");
        RateGate.Turn next = gate.reserve(later, later, false);
        assertEquals(BackoffSource.PACED, next.cause, "a concurrent call is spaced by the server's rate");
    }

    @Test
    void withNothingPassedLatelyOnlyTheServersHintHoldsCallers() {
        RateGate gate = new RateGate(true);
        gate.throttled(T0, T0, 1000, null, null);
        gate.throttled(T0, T0, 1000, null, null);
        assertTrue(gate.binding());
        assertFalse(gate.pacing(), "no rate is known yet");
        assertEquals(1000 * MS, waitOf(gate, T0, T0));
        gate.throttled(T0 + 1000 * MS, T0 + 1000 * MS, 300, null, null);
        assertEquals(300 * MS, waitOf(gate, T0 + 1000 * MS, T0 + 1000 * MS), "the later hint is honored as is");
    }

    @Test
    void withoutAdaptiveRateOnlyTheServersHintsHoldRequests() {
        RateGate gate = new RateGate(false);
        gate.throttled(T0, T0, 100, null, null);
        gate.throttled(T0, T0, 100, null, null);
        assertEquals(100 * MS, waitOf(gate, T0, T0));
        assertEquals(100 * MS, waitOf(gate, T0, T0), "no spacing without a rate");
    }

    @Test
    void countersGiveTheRefillRate() {
        assertEquals(20.0, counters("5", "0", "250ms").refillRate(), 1e-9);
        assertEquals(8.33, counters("500", "499", "120ms").refillRate(), 0.01);
        assertEquals(0.0, counters("500", "500", "0s").refillRate(), 1e-9);
        assertEquals(16.0, counters("5", "0", "250ms").leastRefillRate(), 1e-9, "the bucket may hold 0.99 of a request");
        assertEquals(0.0, counters("5", "4", "50ms").leastRefillRate(), 1e-9);
        assertEquals(null, counters("5", "9", "1s"));
        assertEquals(null, counters("x", "1", "1s"));
    }
}
