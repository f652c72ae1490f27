package io.aierr.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final long MS = 1_000_000L;
    private static final ClassifiedError QUEUE_FULL = new ClassifiedError("pai-eas", Category.QUEUE_FULL, 450, null,
            null, "queue is full", true, null, null);

    @Test
    void opensAfterOutagesInARowAndFailsFastWithTheLastError() {
        CircuitBreaker breaker = new CircuitBreaker(3, 1000);
        long now = 10_000 * MS;
        for (int i = 0; i < 3; i++) {
            assertEquals(CircuitBreaker.ADMITTED, breaker.admit(now, true));
            breaker.record(now, true, QUEUE_FULL);
        }
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(now + 10 * MS, true));
        CircuitOpenException e = breaker.openError(now + 10 * MS, "eas.example:443");
        assertTrue(e.getMessage().contains("450 queue_full"), e.getMessage());
        assertTrue(e.getMessage().contains("eas.example:443"), e.getMessage());
        assertEquals(QUEUE_FULL, e.lastError());
    }

    @Test
    void anAnswerThatIsNoOutageResetsTheCount() {
        CircuitBreaker breaker = new CircuitBreaker(3, 1000);
        breaker.record(0, true, QUEUE_FULL);
        breaker.record(0, true, QUEUE_FULL);
        breaker.record(0, false, null);
        breaker.record(0, true, QUEUE_FULL);
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(0, true));
    }

    @Test
    void halfOpenLetsOneProbeThroughWhoseAnswerDecides() {
        CircuitBreaker breaker = new CircuitBreaker(1, 1000);
        breaker.record(0, true, QUEUE_FULL);
        long later = 1001 * MS;
        long probe = breaker.admit(later, true);
        assertTrue(probe > 0, "the first call after the open time is the probe");
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(later, true), "only one probe");
        breaker.record(later, true, QUEUE_FULL);
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(later + 1500 * MS, true), "reopened for twice as long");
        long second = breaker.admit(later + 2001 * MS, true);
        assertTrue(second > 0);
        breaker.record(later + 2001 * MS, false, null);
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(later + 2002 * MS, true), "closed after recovery");
    }

    @Test
    void aProbeThatEndsWithoutAnAnswerFreesTheSlot() {
        CircuitBreaker breaker = new CircuitBreaker(1, 10);
        breaker.record(0, true, QUEUE_FULL);
        long probe = breaker.admit(20 * MS, true);
        breaker.probeEnded(probe);
        assertTrue(breaker.admit(20 * MS, true) > 0);
    }

    @Test
    void offNeverOpens() {
        CircuitBreaker breaker = new CircuitBreaker(0, 10);
        for (int i = 0; i < 100; i++) {
            breaker.record(0, true, QUEUE_FULL);
        }
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(0, true));
    }
}
