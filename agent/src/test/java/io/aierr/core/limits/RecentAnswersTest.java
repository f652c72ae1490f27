package io.aierr.core.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentAnswersTest {
    private static final long MS = 1_000_000L;

    @Test
    void aCallsFirstFailureIsIsolatedAfterASuccessInTheSecondBeforeItsAttempt() {
        RecentAnswers answers = new RecentAnswers();
        long sent = 10_000 * MS;
        answers.failed(true);
        assertFalse(answers.isolated(sent, true), "a cold start: nothing says other requests succeed");
        answers.succeeded(sent - 1_500 * MS);
        assertFalse(answers.isolated(sent, true), "that success is too old to say the endpoint answers well now");
        answers.succeeded(sent - 900 * MS);
        assertTrue(answers.isolated(sent, true), "a sequential caller whose last call just succeeded");
    }

    @Test
    void aLaterFailureNeedsASuccessSinceTheCallsPreviousAttempt() {
        RecentAnswers answers = new RecentAnswers();
        long previous = 10_000 * MS;
        answers.succeeded(previous - 10 * MS);
        answers.failed(true);
        answers.failed(true);
        assertFalse(answers.isolated(previous, false), "two failures in a row, nothing good between them");
        answers.succeeded(previous + 10 * MS);
        assertTrue(answers.isolated(previous, false), "another request succeeded between the call's attempts");
    }

    @Test
    void sporadicFailuresStayIsolatedAndFailuresThatComeTogetherDoNot() {
        RecentAnswers answers = new RecentAnswers();
        long now = 0;
        for (int i = 0; i < 200; i++) {
            if (i % 7 == 6) {
                answers.failed(true);
                assertTrue(answers.isolated(now - 1, false), "one failure in seven, at answer " + i);
            } else {
                answers.succeeded(++now);
            }
        }
        int together = 0;
        while (answers.isolated(now - 1, false)) {
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
                isolated += answers.isolated(now - 1, false) ? 1 : 0;
            } else if (r < 0.40) {
                answers.failed(false);
            } else {
                answers.succeeded(++now);
            }
        }
        assertTrue(isolated >= 0.98 * failures, isolated + " of " + failures + " isolated");
    }
}
