package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RequestDescriberTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void operationsFromPaths() {
        assertEquals("chat", RequestDescriber.operation("/v1/chat/completions"));
        assertEquals("chat", RequestDescriber.operation("/v1/messages"));
        assertEquals("text_completion", RequestDescriber.operation("/v1/completions"));
        assertEquals("embeddings", RequestDescriber.operation("/openai/deployments/emb/embeddings"));
        assertEquals("generate_content", RequestDescriber.operation("/v1beta/models/gemini-2.0-flash:generateContent"));
        assertNull(RequestDescriber.operation("/api/predict/my_service"));
    }

    @Test
    void theModelComesFromTheTopLevelOfTheBodyThenFromThePath() {
        assertEquals("gpt-4o-mini", RequestDescriber.model("/v1/chat/completions",
                utf8("{\"messages\":[{\"role\":\"user\",\"model\":\"nested\"}],\"model\":\"gpt-4o-mini\"}")));
        assertEquals("gemini-2.0-flash", RequestDescriber.model("/v1beta/models/gemini-2.0-flash:generateContent",
                utf8("{\"contents\":[]}")));
        assertEquals("my-gpt4o", RequestDescriber.model("/openai/deployments/my-gpt4o/chat/completions", null));
        assertEquals("anthropic.claude-3-haiku", RequestDescriber.model("/model/anthropic.claude-3-haiku/invoke", null));
        assertNull(RequestDescriber.model("/v1/chat/completions", utf8("{\"messages\":[{\"content\":\"cut")));
        assertNull(RequestDescriber.model("/v1/chat/completions", utf8("not json")));
    }
}
