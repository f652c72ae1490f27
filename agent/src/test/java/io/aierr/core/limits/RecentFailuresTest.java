package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentFailuresTest {
    @Test
    void aFreshEndpointEarnsShortWaitsOnlyWithARunOfGoodAnswers() {
        RecentFailures failures = new RecentFailures();
        assertFalse(failures.isolated(), "nothing known yet: an outage met first is backed off in full");
        int goodAnswers = 0;
        while (!failures.isolated()) {
            failures.answered(false);
            goodAnswers++;
        }
        assertTrue(goodAnswers >= 15 && goodAnswers <= 30, goodAnswers + " good answers");
    }

    @Test
    void sporadicFailuresStayIsolatedAndAnOutageDoesNot() {
        RecentFailures failures = new RecentFailures();
        for (int i = 0; i < 40; i++) {
            failures.answered(false);
        }
        for (int i = 0; i < 200; i++) {
            failures.answered(i % 7 == 0);
            assertTrue(failures.isolated(), "one failure in seven, at answer " + i);
        }
        int outageAnswers = 0;
        while (failures.isolated()) {
            failures.answered(true);
            outageAnswers++;
        }
        assertTrue(outageAnswers <= 4, "an outage is no longer isolated after " + outageAnswers + " failures in a row");
    }
}
