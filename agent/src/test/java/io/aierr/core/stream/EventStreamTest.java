package io.aierr.core.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A stream cut into its events as the server-sent events format says, whatever the chunking. */
class EventStreamTest {
    private static List<String> events(String stream, int chunk) {
        List<String> seen = new ArrayList<>();
        EventStream events = new EventStream((name, data, length) ->
                seen.add(name + "|" + new String(data, 0, length, StandardCharsets.UTF_8)));
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunk) {
            events.accept(bytes, i, Math.min(chunk, bytes.length - i));
        }
        return seen;
    }

    @Test
    void namesDataLinesAndLineEndsInAnyChunking() {
        String stream = ": keep-alive comment\n\n"
                + "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
                + "id: 7\nretry: 100\ndata:{\"b\":2}\ndata: {\"c\":3}\n\n"
                + "event:error\ndata\n\n"
                + "data: [DONE]\n\n"
                + "data: {\"never\":\"ended\"}\n";
        for (int chunk : new int[] {1, 3, 4096}) {
            assertEquals(List.of("message_start|{\"a\":1}", "null|{\"b\":2}\n{\"c\":3}", "error|", "null|[DONE]"),
                    events(stream, chunk), "chunk " + chunk);
        }
    }

    @Test
    void anOversizedEventIsSkippedWholeAndTheNextOneRead() {
        String huge = "data: {\"x\":\"" + "z".repeat(EventStream.MAX_EVENT) + "\"}\ndata: more\n\n";
        assertEquals(List.of("error|{\"after\":1}"), events(huge + "event: error\ndata: {\"after\":1}\n\n", 8192));
        String manyLines = "data: 0123456789\n".repeat(EventStream.MAX_EVENT / 10) + "\n";
        assertEquals(List.of("null|ok"), events(manyLines + "data: ok\n\n", 1000));
    }

    @Test
    void aBareJsonObjectAfterTheEventsIsOneEventOverItsLines() {
        String stream = "data: {\"candidates\":[]}\n\n{\n  \"error\": {\n    \"code\": 503\n  }\n}\n\n";
        for (int chunk : new int[] {1, 4096}) {
            assertEquals(List.of("null|{\"candidates\":[]}", "null|{\n  \"error\": {\n    \"code\": 503\n  }\n}"),
                    events(stream, chunk), "chunk " + chunk);
        }
    }
}
