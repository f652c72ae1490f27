package io.aierr.core.classify;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void responsesApiFailuresAndIncompleteAnswers() {
        ClassifiedError overloaded = StreamEvents.errorIn("openai", "error", "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"service_unavailable_error\",\"code\":\"server_is_overloaded\",\"message\":\"Our servers are "
                + "currently overloaded. Please try again later.\"}}");
        assertEquals(Category.OVERLOADED, overloaded.category);
        assertTrue(overloaded.retryable);

        ClassifiedError failed = StreamEvents.errorIn("openai", "response.failed", "{\"type\":\"response.failed\","
                + "\"sequence_number\":1,\"response\":{\"id\":\"resp_1\",\"status\":\"failed\",\"error\":{\"code\":"
                + "\"rate_limit_exceeded\",\"message\":\"rate limit exceeded\"}}}");
        assertEquals(Category.RATE_LIMITED, failed.category);
        assertEquals("rate_limit_exceeded", failed.code);
        assertNull(failed.type, "the event's own type is not the error's");

        ClassifiedError generic = StreamEvents.errorIn("openrouter", null, "{\"error\":{\"code\":\"server_error\","
                + "\"message\":\"Provider disconnected unexpectedly\"},\"choices\":[{\"finish_reason\":\"error\"}]}");
        assertEquals(Category.SERVER_ERROR, generic.category, "a generic code counts when no status says more");

        ClassifiedError incomplete = StreamEvents.errorIn("openai", "response.incomplete", "{\"type\":"
                + "\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":"
                + "\"content_filter\"}}}");
        assertEquals(Category.CONTENT_FILTERED, incomplete.category);
    }

    @Test
    void awsEventStreamExceptionsAreClassifiedByTheirType() {
        ClassifiedError throttled = StreamEvents.errorIn("bedrock", "throttlingException",
                "{\"message\":\"Too many requests, please wait before trying again.\"}");
        assertEquals(Category.RATE_LIMITED, throttled.category);
        assertEquals("ThrottlingException", throttled.code);

        ClassifiedError modelStream = StreamEvents.errorIn("bedrock", "modelStreamErrorException",
                "{\"message\":\"model stream failed\",\"originalStatusCode\":503,\"originalMessage\":\"busy\"}");
        assertEquals(503, modelStream.status, "the status the model answered with");
        assertEquals(Category.UNAVAILABLE, modelStream.category);
        assertNull(StreamEvents.errorIn("bedrock", "chunk", "{\"bytes\":\"eyJ0eXBlIjoicGluZyJ9\"}"));
    }

    @Test
    void aWholeAwsEventStreamIsReadFrameByFrameAndABrokenFrameEndsIt() {
        byte[] chunk = frame(":event-type", "chunk", ":message-type", "event", "{\"bytes\":\""
                + Base64.getEncoder().encodeToString("{\"type\":\"content_block_delta\"}".getBytes(StandardCharsets.UTF_8))
                + "\"}");
        byte[] exception = frame(":exception-type", "throttlingException", ":message-type", "exception",
                "{\"message\":\"Too many requests\"}");
        String eventStream = "application/vnd.amazon.eventstream";
        StreamEvents.Found found = StreamEvents.firstIn("bedrock", eventStream, concat(chunk, exception));
        assertEquals(2, found.events);
        assertEquals(2, found.index);
        assertEquals("throttlingException", found.event);
        assertEquals(Category.RATE_LIMITED, found.error.category);

        byte[] broken = exception.clone();
        broken[broken.length - 10] ^= 1;
        StreamEvents.Found corrupted = StreamEvents.firstIn("bedrock", eventStream, concat(chunk, broken));
        assertNull(corrupted.error, "a frame whose checksum fails is never classified");
        assertEquals(1, corrupted.events);
    }

    @Test
    void aWholeSseBodyIncludingABareJsonTrailerAndComments() {
        String body = ": OPENROUTER PROCESSING\r\n\r\n"
                + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Okay\"}]}}]}\r\n\r\n"
                + "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded.\",\n"
                + "    \"status\": \"UNAVAILABLE\"\n  }\n}\n";
        StreamEvents.Found found = StreamEvents.firstIn("gemini", "text/event-stream",
                body.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, found.events, "the comment is no event; the bare JSON object is one");
        assertEquals(2, found.index);
        assertEquals(Category.OVERLOADED, found.error.category);
        assertEquals(503, found.error.status);

        StreamEvents.Found none = StreamEvents.firstIn("openai", "text/event-stream",
                "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        assertNull(none.error);
        assertEquals(2, none.events);
    }

    /** One AWS event-stream message with two string headers: prelude, its CRC, headers, payload, CRC. */
    private static byte[] frame(String name1, String value1, String name2, String value2, String payload) {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        for (String[] h : new String[][] {{name1, value1}, {name2, value2}}) {
            byte[] n = h[0].getBytes(StandardCharsets.UTF_8);
            byte[] v = h[1].getBytes(StandardCharsets.UTF_8);
            headers.write(n.length);
            headers.writeBytes(n);
            headers.write(7);
            headers.write(v.length >> 8);
            headers.write(v.length);
            headers.writeBytes(v);
        }
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        int total = 12 + headers.size() + p.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(headers.size());
        b.putInt(crc(b.array(), 8));
        b.put(headers.toByteArray()).put(p);
        b.putInt(crc(b.array(), total - 4));
        return b.array();
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
