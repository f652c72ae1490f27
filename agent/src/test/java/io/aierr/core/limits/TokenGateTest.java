package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenGateTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000 * MS;

    /** OpenAI-style token counters: 10,000 tokens, refilling at 10,000 a second. */
    private static Headers tokens(long remaining) {
        long resetMillis = (10_000 - remaining) / 10;
        return Headers.of(Map.of("x-ratelimit-limit-tokens", List.of("10000"),
                "x-ratelimit-remaining-tokens", List.of(Long.toString(remaining)),
                "x-ratelimit-reset-tokens", List.of(resetMillis + "ms")));
    }

    private static AnswerCopy tooManyTokens(String type, String message) {
        return AnswerCopy.of(new io.aierr.core.classify.ErrorResponse("POST", "http://h/v1/chat/completions", 429,
                Headers.of(Map.of()), new byte[0], false, false, 0),
                new ClassifiedError("openai", Category.RATE_LIMITED, 429, "rate_limit_exceeded", type, message, true,
                        null, null));
    }

    /** A gate that has seen one answer whose counters say {@code remaining} tokens are left, at T0. */
    private static TokenGate seen(long remaining) {
        TokenGate gate = new TokenGate();
        TokenGate.Reservation first = gate.reserve(T0, "gpt-4o", 10, 10);
        gate.sent(T0, first);
        gate.answered(T0, first, tokens(remaining), 0, true);
        return gate;
    }

    @Test
    void nothingWaitsUntilTheServerShowsATokenBucket() {
        TokenGate gate = new TokenGate();
        for (int i = 0; i < 100; i++) {
            TokenGate.Reservation r = gate.reserve(T0 + i * MS, "gpt-4o", 5_000, 5_000);
            assertEquals(0, r.waitNanos(), "call " + i);
            gate.sent(T0 + i * MS, r);
            gate.answered(T0 + i * MS, r, Headers.of(Map.of()), 0, true);
        }
    }

    @Test
    void turnsAreFirstComeFirstServedWhateverTheirSize() {
        TokenGate gate = seen(0); // empty, refilling at 10 tokens a millisecond
        long small = gate.reserve(T0, "gpt-4o", 10, 100).waitNanos();
        long large = gate.reserve(T0, "gpt-4o", 10, 5_000).waitNanos();
        long smallAfter = gate.reserve(T0, "gpt-4o", 10, 100).waitNanos();
        assertEquals(10 * MS, small);
        assertEquals(510 * MS, large, "the large one waits only for what came before it, and itself");
        assertEquals(520 * MS, smallAfter, "a small one that came later does not jump the queue");
    }

    @Test
    void aCostAboveTheBucketsSizeIsChargedAsTheSize() {
        TokenGate gate = seen(5_000);
        assertEquals(500 * MS, gate.reserve(T0, "gpt-4o", 50_000, 0).waitNanos(), "one full bucket, not five");
    }

    @Test
    void eachModelHasItsOwnBuckets() {
        TokenGate gate = seen(0);
        assertEquals(0, gate.reserve(T0, "gpt-4o-mini", 10, 5_000).waitNanos());
        assertTrue(gate.reserve(T0, "gpt-4o", 10, 5_000).waitNanos() > 0);
    }

    @Test
    void theLedgerFollowsTheServersCountersLessWhatWentOutSince() {
        TokenGate gate = seen(10_000);
        TokenGate.Reservation a = gate.reserve(T0, "gpt-4o", 10, 4_000);
        gate.sent(T0, a);
        TokenGate.Reservation b = gate.reserve(T0, "gpt-4o", 10, 4_000);
        gate.sent(T0, b);
        // the server admitted a (6,000 left) before b reached it
        gate.answered(T0, a, tokens(6_000), 0, true);
        assertEquals(0, gate.reserve(T0, "gpt-4o", 10, 2_000).waitNanos(), "6,000 left less b's 4,000");
        assertEquals(100 * MS, gate.reserve(T0, "gpt-4o", 10, 1_000).waitNanos());
    }

    @Test
    void promisedTokensStayPromisedWhenTheServerSaysMoreAreLeft() {
        TokenGate gate = seen(0);
        TokenGate.Reservation waiting = gate.reserve(T0, "gpt-4o", 10, 5_000);
        assertEquals(500 * MS, waiting.waitNanos());
        TokenGate.Reservation other = gate.reserve(T0, "gpt-4o", 10, 10);
        gate.sent(T0, other);
        gate.answered(T0, other, tokens(5_000), 0, true);
        assertEquals(100 * MS, gate.reserve(T0, "gpt-4o", 10, 1_000).waitNanos(),
                "5,000 left, all of them promised to the waiting call");
    }

    @Test
    void releasedTokensGoToTheNextInLine() {
        TokenGate gate = seen(0);
        TokenGate.Reservation refused = gate.reserve(T0, "gpt-4o", 10, 5_000);
        gate.release(T0, refused);
        gate.release(T0, refused); // twice is once
        assertEquals(100 * MS, gate.reserve(T0, "gpt-4o", 10, 1_000).waitNanos());
    }

    /** One call to gpt-4o at {@code now} that costs 1,000 tokens and gets 200, or a token 429. */
    private static void call(TokenGate gate, long now, boolean throttled) {
        TokenGate.Reservation r = gate.reserve(now, "gpt-4o", 10, 1_000);
        gate.sent(now, r);
        if (throttled) {
            gate.throttled(now, r, Headers.of(Map.of()), 0,
                    tooManyTokens("tokens", "Rate limit reached for gpt-4o on tokens per min (TPM)"));
        } else {
            gate.answered(now, r, Headers.of(Map.of()), 0, true);
        }
    }

    @Test
    void aTokenLimitWithoutCountersIsLearnedBetweenTwo429sAndForgottenLater() {
        TokenGate gate = new TokenGate();
        for (int i = 0; i < 20; i++) { // a burst passes, then the bucket is empty
            call(gate, T0 + i * MS, false);
        }
        call(gate, T0 + 20 * MS, true);
        TokenGate.Reservation probe = gate.reserve(T0 + 20 * MS, "gpt-4o", 10, 1_000);
        gate.release(T0 + 20 * MS, probe);
        long guessed = probe.waitNanos();
        assertTrue(guessed > 52 * MS && guessed < 53 * MS, "one 429 says the bucket is empty; what passed in the"
                + " second before it, 20,000 tokens less 5 %, is a first rate, high and never low: " + guessed);
        for (int i = 1; i <= 10; i++) { // then 1,000 tokens pass every 100 ms: 10,000 a second
            call(gate, T0 + 20 * MS + i * 100 * MS, false);
        }
        long at = T0 + 1_100 * MS;
        call(gate, at, true);
        long wait = gate.reserve(at, "gpt-4o", 10, 1_000).waitNanos();
        assertTrue(wait > 100 * MS && wait < 120 * MS, "1,000 tokens at 95 % of 10,000 a second: " + wait);
        assertEquals(0, gate.reserve(at + 31_000 * MS, "gpt-4o", 10, 1_000_000).waitNanos(),
                "30 s without a throttle: the learned limit is gone");
    }

    @Test
    void aFirst429WithNothingPassedInTheSecondBeforeGuessesNoRate() {
        TokenGate gate = new TokenGate();
        call(gate, T0, false);
        call(gate, T0 + 1_500 * MS, true);
        assertEquals(0, gate.reserve(T0 + 1_500 * MS, "gpt-4o", 10, 1_000).waitNanos(),
                "the bucket is empty, and nothing says how fast it refills");
    }

    @Test
    void aFirst429AfterTooFewSuccessesGuessesNoRate() {
        TokenGate gate = new TokenGate();
        for (int i = 0; i < TokenGate.MIN_SUCCESSES_TO_GUESS - 1; i++) {
            call(gate, T0 + i * MS, false);
        }
        call(gate, T0 + 10 * MS, true);
        assertEquals(0, gate.reserve(T0 + 10 * MS, "gpt-4o", 10, 1_000).waitNanos(),
                "three successes tell too little of the bucket to pace by: two 429s will");
    }

    @Test
    void withTheFleetReachedATokenLessonIsWhatPassedEveryJvm() {
        FleetView view = FleetView.ofThisJvmOnly();
        TokenGate gate = new TokenGate(view);
        view.heard(T0, 0.25, 0, 0, 0, 0, 0, 0, 0, 0);
        String bucket = TokenGate.fleetBucket("gpt-4o", TokenGate.Kind.TOKENS);
        view.heardTokenPasses(bucket + "=10000," + bucket + "x=5", bucket + "=1000");
        call(gate, T0, false);
        call(gate, T0 + 10 * MS, true);
        long wait = gate.reserve(T0 + 10 * MS, "gpt-4o", 10, 1_000).waitNanos();
        assertTrue(wait > 420 * MS && wait < 422 * MS, "one success here, 9,000 tokens a second at the others:"
                + " 10,000 less 5 %, of which this JVM's quarter refills 1,000 tokens in 421 ms: " + wait);
        view.alone();
        assertTrue(Double.isNaN(view.othersTokenPassRate(bucket)), "out of the fleet's reach, nothing is heard");
    }

    @Test
    void aRequestLimitTeachesNoTokenBucket() {
        TokenGate gate = new TokenGate();
        TokenGate.Reservation r = gate.reserve(T0, "gpt-4o", 10, 1_000);
        gate.sent(T0, r);
        gate.throttled(T0, r, Headers.of(Map.of()), 0,
                tooManyTokens("requests", "Rate limit reached for gpt-4o on requests per min (RPM)"));
        assertNull(gate.cause());
    }

    @Test
    void anthropicsInputAndOutputBucketsAreChargedApart() {
        TokenGate gate = new TokenGate();
        TokenGate.Reservation first = gate.reserve(T0, "claude", 10, 10);
        gate.sent(T0, first);
        String resetIn1s = java.time.Instant.ofEpochMilli(1_000).toString();
        gate.answered(T0, first, Headers.of(Map.of(
                "anthropic-ratelimit-input-tokens-limit", List.of("1000"),
                "anthropic-ratelimit-input-tokens-remaining", List.of("0"),
                "anthropic-ratelimit-input-tokens-reset", List.of(resetIn1s),
                "anthropic-ratelimit-output-tokens-limit", List.of("100000"),
                "anthropic-ratelimit-output-tokens-remaining", List.of("100000"),
                "anthropic-ratelimit-output-tokens-reset", List.of(resetIn1s))), 0, true);
        List<Long> waits = new ArrayList<>();
        waits.add(gate.reserve(T0, "claude", 0, 50_000).waitNanos());
        waits.add(gate.reserve(T0, "claude", 500, 0).waitNanos());
        assertEquals(List.of(0L, 500 * MS), waits, "output tokens are plenty; input tokens refill 1,000 a second");
    }

    @Test
    void aTokenLimitIsToldFromItsTypeOrMessage() {
        assertEquals(TokenGate.Kind.TOKENS, TokenGate.namedLimit(tooManyTokens("tokens", "x").error));
        assertEquals(TokenGate.Kind.TOKENS, TokenGate.namedLimit(tooManyTokens(null,
                "Requests to the ChatCompletions_Create Operation have exceeded token rate limit").error));
        assertEquals(TokenGate.Kind.INPUT, TokenGate.namedLimit(tooManyTokens("rate_limit_error",
                "This request would exceed the rate limit of 40,000 input tokens per minute").error));
        assertEquals(TokenGate.Kind.OUTPUT, TokenGate.namedLimit(tooManyTokens("rate_limit_error",
                "would exceed your organization's rate limit of 8,000 output tokens per minute").error));
        assertNull(TokenGate.namedLimit(tooManyTokens("requests", "Rate limit reached for requests").error));
    }

    @Test
    void whatUsageTaughtOfThePromptIsWhatTheNextCallReserves() {
        TokenGate gate = seen(0); // empty, refilling at 10 tokens a millisecond
        for (int i = 0; i < 30; i++) { // the server counts twice the prompt tokens the body's size suggests
            TokenGate.Reservation r = gate.reserve(T0, "gpt-4o", 100, 0);
            gate.release(T0, r);
            gate.used(r, 200);
        }
        long wait = gate.reserve(T0, "gpt-4o", 100, 0).waitNanos();
        assertTrue(wait > 19 * MS && wait <= 20 * MS, "about 200 tokens, not 100: " + wait);
    }
}
