package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.ErrorResponse;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final long MS = 1_000_000L;
    private static final ClassifiedError QUEUE_FULL_ERROR = new ClassifiedError("pai-eas", Category.QUEUE_FULL, 450,
            null, null, "queue is full", true, null, null);
    private static final AnswerCopy QUEUE_FULL = AnswerCopy.of(new ErrorResponse("POST", "http://eas.example/", 450,
            Headers.of(Map.of("content-type", List.of("text/plain"))), "queue is full".getBytes(StandardCharsets.UTF_8),
            false, 0), QUEUE_FULL_ERROR);

    @Test
    void opensAfterOutagesInARowAndAnswersWithACopyOfTheLastOutage() {
        CircuitBreaker breaker = new CircuitBreaker(3, 1000);
        long now = 10_000 * MS;
        for (int i = 0; i < 3; i++) {
            assertEquals(CircuitBreaker.ADMITTED, breaker.admit(now, true));
            breaker.record(now, QUEUE_FULL);
        }
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(now + 10 * MS, true));
        Refusal refusal = breaker.refusal(now + 10 * MS, "eas.example:443");
        assertTrue(refusal.detail.contains("450 queue_full"), refusal.detail);
        assertTrue(refusal.detail.contains("eas.example:443"), refusal.detail);
        assertEquals(450, refusal.answer.status);
        assertEquals("queue is full", new String(refusal.answer.body, StandardCharsets.UTF_8));
        assertEquals(Map.of("content-type", "text/plain", "x-aierr-refused", "circuit-open", "x-should-retry", "false"),
                refusal.headers());
    }

    @Test
    void anAnswerThatIsNoOutageResetsTheCount() {
        CircuitBreaker breaker = new CircuitBreaker(3, 1000);
        breaker.record(0, QUEUE_FULL);
        breaker.record(0, QUEUE_FULL);
        breaker.record(0, null);
        breaker.record(0, QUEUE_FULL);
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(0, true));
    }

    @Test
    void halfOpenLetsOneProbeThroughWhoseAnswerDecides() {
        CircuitBreaker breaker = new CircuitBreaker(1, 1000);
        breaker.record(0, QUEUE_FULL);
        long later = 1001 * MS;
        long probe = breaker.admit(later, true);
        assertTrue(probe > 0, "the first call after the open time is the probe");
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(later, true), "only one probe");
        breaker.record(later, QUEUE_FULL);
        assertEquals(CircuitBreaker.REJECTED, breaker.admit(later + 1500 * MS, true), "reopened for twice as long");
        long second = breaker.admit(later + 2001 * MS, true);
        assertTrue(second > 0);
        breaker.record(later + 2001 * MS, null);
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(later + 2002 * MS, true), "closed after recovery");
    }

    @Test
    void aProbeThatEndsWithoutAnAnswerFreesTheSlot() {
        CircuitBreaker breaker = new CircuitBreaker(1, 10);
        breaker.record(0, QUEUE_FULL);
        long probe = breaker.admit(20 * MS, true);
        breaker.probeEnded(probe);
        assertTrue(breaker.admit(20 * MS, true) > 0);
    }

    @Test
    void offNeverOpens() {
        CircuitBreaker breaker = new CircuitBreaker(0, 10);
        for (int i = 0; i < 100; i++) {
            breaker.record(0, QUEUE_FULL);
        }
        assertEquals(CircuitBreaker.ADMITTED, breaker.admit(0, true));
    }
}
