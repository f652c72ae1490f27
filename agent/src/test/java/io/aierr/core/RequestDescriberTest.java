package io.aierr.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RequestDescriberTest {
    private static RequestDescriber.BodyFacts body(String json) {
        return RequestDescriber.BodyFacts.of(utf8(json));
    }

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
                body("{\"messages\":[{\"role\":\"user\",\"model\":\"nested\"}],\"model\":\"gpt-4o-mini\"}")));
        assertEquals("gemini-2.0-flash", RequestDescriber.model("/v1beta/models/gemini-2.0-flash:generateContent",
                body("{\"contents\":[]}")));
        assertEquals("my-gpt4o", RequestDescriber.model("/openai/deployments/my-gpt4o/chat/completions", RequestDescriber.BodyFacts.of(null)));
        assertEquals("anthropic.claude-3-haiku", RequestDescriber.model("/model/anthropic.claude-3-haiku/invoke", RequestDescriber.BodyFacts.of(null)));
        assertNull(RequestDescriber.model("/v1/chat/completions", body("{\"messages\":[{\"content\":\"cut")));
        assertNull(RequestDescriber.model("/v1/chat/completions", body("not json")));
    }

    @Test
    void theOutputTokenCapComesFromEachProvidersField() {
        assertEquals(500, body("{\"model\":\"gpt-4o\",\"messages\":[{\"max_tokens\":9}],\"max_tokens\":500}").maxOutputTokens);
        assertEquals(700, body("{\"max_completion_tokens\":700}").maxOutputTokens);
        assertEquals(800, body("{\"input\":\"hi\",\"max_output_tokens\":800}").maxOutputTokens);
        assertEquals(900, body("{\"contents\":[],\"generationConfig\":{\"temperature\":1,\"maxOutputTokens\":900}}")
                .maxOutputTokens);
        assertEquals(-1, body("{\"messages\":[]}").maxOutputTokens);
        assertEquals(300, body("{\"max_tokens\":300,\"messages\":[{\"content\":\"cut").maxOutputTokens);
        assertEquals(-1, body("not json").maxOutputTokens);
        assertEquals(-1, RequestDescriber.BodyFacts.of(null).maxOutputTokens);
    }
}
