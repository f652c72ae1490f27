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
        assertTrue(together <= 7, "still isolated after " + together + " unhinted failures in a row");
    }

    @Test
    void failuresAtRandomAmongSuccessesAreNearlyAlwaysIsolated() {
        // bench/sporadic.sh's mix: 15 % of answers are bare 429s, 450s and 503s, 25 % other answers;
        // a short average read a quarter by chance for 6 % of them, each then waiting 500 ms and up
        RecentAnswers answers = new RecentAnswers();
        java.util.Random random = new java.util.Random(42);
        long now = 0;
        int failures = 0;
        int isolated = 0;
        for (int i = 0; i < 20_000; i++) {
            double r = random.nextDouble();
            if (r < 0.15) {
                answers.failed(true);
                failures++;
                isolated += answers.isolated(now - 1) ? 1 : 0;
            } else if (r < 0.40) {
                answers.failed(false);
            } else {
                answers.succeeded(++now);
            }
        }
        assertTrue(isolated >= 0.98 * failures, isolated + " of " + failures + " isolated");
    }
}
