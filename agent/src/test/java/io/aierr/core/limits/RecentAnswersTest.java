package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentAnswersTest {
    @Test
    void aFailureIsIsolatedOnlyWhenAnotherRequestSucceededSinceItsAttemptWasSent() {
        RecentAnswers answers = new RecentAnswers();
        answers.failed(true);
        assertFalse(answers.isolated(100), "a cold start or a lone caller: nothing says other requests succeed");
        answers.succeeded(90);
        assertFalse(answers.isolated(100), "that success came before the attempt was sent");
        answers.succeeded(110);
        assertTrue(answers.isolated(100));
    }

    @Test
    void sporadicFailuresStayIsolatedAndFailuresThatComeTogetherDoNot() {
        RecentAnswers answers = new RecentAnswers();
        long now = 0;
        for (int i = 0; i < 200; i++) {
            if (i % 7 == 6) {
                answers.failed(true);
                assertTrue(answers.isolated(now - 1), "one failure in seven, at answer " + i);
            } else {
                answers.succeeded(++now);
            }
        }
        int together = 0;
        while (answers.isolated(now - 1)) {
            answers.failed(true);
            together++;
        }
        assertTrue(together <= 4, "still isolated after " + together + " unhinted failures in a row");
    }
}
