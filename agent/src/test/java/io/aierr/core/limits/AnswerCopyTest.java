package io.aierr.core.limits;

import io.aierr.core.Headers;
import io.aierr.core.classify.ErrorClassifier;
import io.aierr.core.classify.ErrorResponse;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AnswerCopyTest {
    private static ErrorResponse response(int status, String contentType, String body, boolean truncated) {
        return new ErrorResponse("POST", "https://api.example/v1/messages", status,
                Headers.of(Map.of("content-type", List.of(contentType), "retry-after", List.of("3"))),
                body.getBytes(StandardCharsets.UTF_8), truncated, 0);
    }

    private static String text(AnswerCopy copy) {
        return new String(copy.body, StandardCharsets.UTF_8);
    }

    @Test
    void aBodyPeekedWholeIsCopiedAsItCameWithItsContentType() {
        ErrorResponse r = response(503, "text/plain", "no healthy upstream", false);
        AnswerCopy copy = AnswerCopy.of(r, ErrorClassifier.classify("openai", r));
        assertEquals(503, copy.status);
        assertEquals("text/plain", copy.contentType);
        assertArrayEquals(r.body, copy.body);
    }

    @Test
    void aBodyNotReadWholeBecomesAMinimalErrorInTheProvidersShape() {
        ErrorResponse anthropic = response(529, "application/json",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", true);
        AnswerCopy copy = AnswerCopy.of(anthropic, ErrorClassifier.classify("anthropic", anthropic));
        assertEquals("application/json", copy.contentType);
        assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
                text(copy));

        ErrorResponse openai = response(503, "text/html", "<html>", true);
        assertEquals("{\"error\":{\"message\":\"HTTP 503 unavailable\",\"type\":\"unavailable\",\"code\":\"unavailable\"}}",
                text(AnswerCopy.of(openai, ErrorClassifier.classify("openai", openai))));
    }

    @Test
    void aRefusalCarriesOnlyTheContentTypeAndItsOwnTwoHeaders() {
        ErrorResponse r = response(450, "text/plain", "request dropped because the queue is full", false);
        Refusal refusal = new Refusal(Refusal.Reason.HELD, AnswerCopy.of(r, ErrorClassifier.classify("pai-eas", r)), "x");
        assertEquals(Map.of("content-type", "text/plain", "x-aierr-refused", "held", "x-should-retry", "false"),
                refusal.headers());
    }
}
