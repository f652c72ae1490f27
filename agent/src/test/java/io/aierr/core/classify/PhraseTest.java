package io.aierr.core.classify;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhraseTest {
    /** One text for each alternative of the classifier's phrases, lower case, as they come in answers. */
    private static final String[] SAYINGS = {
        // spent quota and credit
        "your credit balance is too low to access the api", "insufficient account balance", "insufficient credits",
        "you exceeded your current quota, please check your plan", "check your plan and billing details",
        "the free tier of the model has been exhausted", "free tier exhausted", "the account is in arrears",
        "payment overdue", "you have reached your api usage limits", "free allocated quota exceeded",
        "free quota used up", "you have used all available credits", "purchase more credits", "buy more credits",
        "you are out of credits", "run out of credits", "spending limit reached", "suspended for failure to pay",
        "your account abc-123 has been suspended",
        // limits
        "request too large for gpt-4o in organization org-1 on tokens per min: limit 30000. the input must be reduced",
        "request too large for model x. please reduce your message size", "quota exceeded, limit: 0",
        "limit 0, model gemini", "requests per month", "10000 / month", "5/month", "monthly limit reached",
        "monthly api usage limit", "monthly spending cap", "monthly spend threshold", "requests per day",
        "tokens per-day", "daily limit exceeded", "daily quota", "daily cap", "quota for the day", "quota for this day",
        "generaterequestsperdayperprojectpermodel-freetier byday", "limit per 86400s", "per 86400 s",
        // context, content, auth, region, model
        "this model's maximum context length is 8192", "context length exceeded", "context window is full",
        "prompt is too long: 210000 tokens", "input is too long", "too many tokens", "too many input tokens",
        "exceeds the maximum number of tokens", "exceed the maximum input tokens", "input token count (9) exceeds",
        "please reduce the length of the messages", "maximum input length is 4096", "out of range of input length",
        "maximum prompt length", "max_new_tokens must be <= 512", "max_new_tokens` must be", "prompt contains 9000 tokens",
        "azure's content management policy", "content filter triggered", "content policy", "responsible ai",
        "responsibleai", "inappropriate content", "data inspection failed", "safety system", "safety filters",
        "violating our usage policies", "this input requires moderation", "input was flagged", "output has been flagged",
        "request is flagged", "moderation block", "api key is not valid", "apikey invalid", "api_key incorrect",
        "api-key missing", "api key expired", "invalid api key", "incorrect x-api-key", "missing access token",
        "expired token", "invalid authentication", "invalid subscription key", "authentication failed",
        "authentication is required", "unauthorized", "no api key provided",
        "the security token included in the request is invalid", "user location is not supported",
        "country, region, or territory not supported", "not available in your country", "unsupported region",
        "the model does not exist", "model not exist", "model gpt-9 does not exist", "no such model", "unknown model",
        "model not found",
        // server side
        "the engine is overloaded", "the server is over capacity", "at capacity", "high traffic", "high demand",
        "capacity exceeded", "no capacity available", "insufficient capacity", "out of capacity",
        "no healthy upstream", "upstream connect error or disconnect/reset before headers", "reset before headers",
        "upstream request timeout", "no available instance", "no available server", "no available backend",
        "service unavailable", "temporarily unavailable", "request dropped because the queue is full", "queue full",
    };
    /** Texts that say none of them, or almost. */
    private static final String[] OTHERS = {
        "", "rate limit reached for requests", "{\"error\":{\"message\":\"bad request\",\"type\":\"invalid_request_error\"}}",
        "limit: 05", "the day is long", "model", "token", "a context-free grammar",
    };

    @Test
    void theWordsNeverHideAMatchOfThePattern() throws IllegalAccessException {
        List<Phrase> phrases = new ArrayList<>();
        for (Field f : ErrorClassifier.class.getDeclaredFields()) {
            if (f.getType() == Phrase.class && Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                phrases.add((Phrase) f.get(null));
            }
        }
        assertEquals(13, phrases.size(), "every phrase of the classifier is checked");
        for (String text : SAYINGS) {
            boolean saidByOne = false;
            for (Phrase phrase : phrases) {
                assertEquals(phrase.matchedByPatternAlone(text), phrase.in(text), text);
                saidByOne |= phrase.in(text);
            }
            assertTrue(saidByOne, "a phrase says: " + text);
        }
        for (String text : OTHERS) {
            for (Phrase phrase : phrases) {
                assertEquals(phrase.matchedByPatternAlone(text), phrase.in(text), text);
            }
        }
    }
}
