package io.aierr.telemetry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RedactionTest {
    @Test
    void urlKeepsSchemeHostPathAndHarmlessQuery() {
        assertEquals("https://api.openai.com/v1/chat/completions",
                Redaction.url("https://api.openai.com/v1/chat/completions"));
        assertEquals("https://x.openai.azure.com/openai/deployments/gpt4/chat/completions?api-version=2024-06-01",
                Redaction.url("https://x.openai.azure.com/openai/deployments/gpt4/chat/completions?api-version=2024-06-01"));
    }

    @Test
    void credentialQueryValuesAreRedacted() {
        assertEquals("https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=REDACTED&alt=sse",
                Redaction.url("https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=secret123&alt=sse"));
        assertEquals("http://h/p?api-key=REDACTED&API_KEY=REDACTED&apikey=REDACTED&subscription-key=REDACTED",
                Redaction.url("http://h/p?api-key=a&API_KEY=b&apikey=c&subscription-key=d"));
        assertEquals("http://h/p?access_token=REDACTED&sig=REDACTED&Signature=REDACTED&X-Amz-Signature=REDACTED&x=1",
                Redaction.url("http://h/p?access_token=t&sig=s&Signature=s2&X-Amz-Signature=s3&x=1"));
        // names that merely end like a secret's are kept
        assertEquals("http://h/p?monkey=1&max_tokens=5&next_token=abc", Redaction.url("http://h/p?monkey=1&max_tokens=5&next_token=abc"));
    }

    @Test
    void userInfoAndFragmentAreRemoved() {
        assertEquals("https://REDACTED:REDACTED@host:8443/v1/x?key=REDACTED",
                Redaction.url("https://user:pa55@host:8443/v1/x?key=k#frag"));
        assertEquals("https://host/a@b", Redaction.url("https://host/a@b"));
    }

    @Test
    void keyLookingTokensInTextAreReplaced() {
        assertEquals("Incorrect API key provided: sk-REDACTED. You can find your API key at ...",
                Redaction.text("Incorrect API key provided: sk-proj-AbC123_xyz-789. You can find your API key at ..."));
        assertEquals("anthropic key sk-REDACTED rejected", Redaction.text("anthropic key sk-ant-api03-abcdefgh rejected"));
        assertEquals("API key REDACTED not valid", Redaction.text("API key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv not valid"));
        assertEquals("Authorization: Bearer REDACTED", Redaction.text("Authorization: Bearer eyJhbGciOi.J9x-y_z"));
        assertEquals("GET https://h/p?key=REDACTED failed", Redaction.text("GET https://h/p?key=abc failed"));
        // ordinary words that contain sk- stay
        assertEquals("task-queue-full and disk-usage-high", Redaction.text("task-queue-full and disk-usage-high"));
    }

    @Test
    void nullStaysNull() {
        assertNull(Redaction.url(null));
        assertNull(Redaction.text(null));
    }
}
