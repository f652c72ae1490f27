package io.aierr.core.usage;

import io.aierr.core.stream.EventStream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageReaderTest {
    /** Feeds the body in chunks of {@code chunk} bytes, as an app might read it. */
    private static ResponseUsage read(String contentType, String body, int chunk) {
        UsageReader reader = UsageReader.forContentType(contentType);
        EventStream events = reader.readsEvents() ? new EventStream((name, data, length) -> reader.event(data, length))
                : null;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunk) {
            if (events != null) {
                events.accept(bytes, i, Math.min(chunk, bytes.length - i));
            } else {
                reader.accept(bytes, i, Math.min(chunk, bytes.length - i));
            }
        }
        return reader.finish();
    }

    @Test
    void anOpenAiChatCompletionReadInAnyChunking() {
        String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi \\\"there\\\"\","
                + "\"id\":\"not-this\"},\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{},\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0}}}";
        for (int chunk : new int[] {1, 7, 4096}) {
            ResponseUsage u = read("application/json; charset=utf-8", body, chunk);
            assertEquals(12L, u.inputTokens, "chunk " + chunk);
            assertEquals(34L, u.outputTokens);
            assertEquals("gpt-4o-mini-2024-07-18", u.model);
            assertEquals("chatcmpl-1", u.id);
            assertEquals(List.of("stop", "length"), u.knownFinishReasons());
        }
    }

    @Test
    void anOpenAiStreamsLastChunksCarryFinishReasonAndUsage() {
        String stream = "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n"
                + "data: {\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"
                + "data: [DONE]\n\n";
        ResponseUsage u = read("text/event-stream", stream, 3);
        assertEquals(5L, u.inputTokens);
        assertEquals(2L, u.outputTokens);
        assertEquals(List.of("stop"), u.knownFinishReasons());
        assertEquals("c1", u.id);
    }

    @Test
    void anthropicsStreamSpreadsItsUsageOverEvents() {
        String stream = "event: message_start\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
                + "event: message_delta\n"
                + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        ResponseUsage u = read("text/event-stream; charset=utf-8", stream, 10);
        assertEquals(25L, u.inputTokens);
        assertEquals(15L, u.outputTokens);
        assertEquals("claude-sonnet-4-5", u.model);
        assertEquals("msg_1", u.id);
        assertEquals(List.of("end_turn"), u.knownFinishReasons());
    }

    @Test
    void geminiAndAnthropicBodies() {
        ResponseUsage gemini = read("application/json", "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]},"
                + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":3},"
                + "\"modelVersion\":\"gemini-2.0-flash\",\"responseId\":\"r-1\"}", 5);
        assertEquals(8L, gemini.inputTokens);
        assertEquals(3L, gemini.outputTokens);
        assertEquals("gemini-2.0-flash", gemini.model);
        assertEquals("r-1", gemini.id);
        assertEquals(List.of("STOP"), gemini.knownFinishReasons());
        ResponseUsage anthropic = read("application/json", "{\"id\":\"msg_2\",\"type\":\"message\",\"model\":\"claude\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"y\"}],\"stop_reason\":\"max_tokens\","
                + "\"usage\":{\"input_tokens\":9,\"output_tokens\":100}}", 64);
        assertEquals(List.of("max_tokens"), anthropic.knownFinishReasons());
        assertEquals(100L, anthropic.outputTokens);
    }

    @Test
    void whatCannotBeReadEndsTheReadingQuietly() {
        assertNull(UsageReader.forContentType("text/plain"));
        assertNull(UsageReader.forContentType(null));
        assertTrue(read("application/json", "{\"usage\":{\"prompt_tokens\":1}} trailing garbage {", 4).inputTokens == 1L);
        assertTrue(read("application/json", "\u0000\u0001 binary", 2).isEmpty());
        ResponseUsage cut = read("application/json", "{\"id\":\"a\",\"usage\":{\"prompt_tokens\":4", 3);
        assertEquals("a", cut.id);
        StringBuilder huge = new StringBuilder("data: {\"x\":\"");
        huge.append("z".repeat(200_000)).append("\"}\n\ndata: {\"usage\":{\"input_tokens\":7}}\n\n");
        assertEquals(7L, read("text/event-stream", huge.toString(), 8192).inputTokens, "a long event is skipped, not buffered");
    }
}
