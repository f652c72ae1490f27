package io.aierr.core.classify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which events of a 200 stream are errors, and what they mean. */
class StreamEventsTest {
    @Test
    void anthropicOverloadedEventIsRetryable() {
        ClassifiedError e = StreamEvents.errorIn("anthropic", "error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        assertEquals(Category.OVERLOADED, e.category);
        assertEquals("overloaded_error", e.type);
    }

    @Test
    void openAiCompatibleErrorObjectNamesItsStatus() {
        ClassifiedError e = StreamEvents.errorIn("vllm", null,
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":429}}");
        assertEquals(Category.RATE_LIMITED, e.category);
        assertEquals(429, e.status);
    }

    @Test
    void ordinaryChunksAndDoneAreNotErrors() {
        assertNull(StreamEvents.errorIn("openai", null,
                "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"error\"},\"finish_reason\":null}]}"));
        assertNull(StreamEvents.errorIn("openai", null, "[DONE]"));
        assertNull(StreamEvents.errorIn("anthropic", "error", "overloaded, not json"));
        assertNull(StreamEvents.errorIn("openai", null, "{\"choices\":[{\"finish_reason\":\"stop\"}]}"));
    }

    @Test
    void contentFilterFinishIsContentFiltered() {
        ClassifiedError e = StreamEvents.errorIn("azure-openai", null,
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}");
        assertEquals(Category.CONTENT_FILTERED, e.category);
        assertEquals(200, e.status);
        ClassifiedError gemini = StreamEvents.errorIn("gemini", null,
                "{\"candidates\":[{\"finishReason\":\"SAFETY\",\"index\":0}]}");
        assertEquals(Category.CONTENT_FILTERED, gemini.category);
    }
}
