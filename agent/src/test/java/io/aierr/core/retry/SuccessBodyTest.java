package io.aierr.core.retry;

import io.aierr.core.usage.ResponseUsage;
import io.aierr.core.usage.UsageReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SuccessBodyTest {
    /** Buffers without an array (the JDK client hands out read-only ones) are read whole, in any size, in place. */
    @Test
    void buffersWithoutAnArrayAreReadWholeWhateverTheirSize() {
        String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + "lorem ipsum ".repeat(2000) + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // growing, shrinking and larger than the 8 KiB scratch
        int[][] chunkings = {{1, 300, 5000, 9000, 100_000}, {20_000, 7, 300}, {256, 257, 8192, 8193}};
        for (int[] chunks : chunkings) {
            for (boolean direct : new boolean[] {false, true}) {
                UsageReader reader = UsageReader.forContentType("application/json");
                SuccessBody success = new SuccessBody(null, reader, "openai");
                for (int at = 0, i = 0; at < bytes.length; i++) {
                    int n = Math.min(chunks[i % chunks.length], bytes.length - at);
                    ByteBuffer chunk = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
                    chunk.put(bytes, at, n).flip();
                    ByteBuffer readOnly = chunk.asReadOnlyBuffer();
                    success.accept(readOnly);
                    assertEquals(0, readOnly.position(), "the app's buffer is read in place");
                    at += n;
                }
                ResponseUsage usage = reader.finish();
                String label = Arrays.toString(chunks) + (direct ? " direct" : " heap");
                assertEquals(12L, usage.inputTokens, label);
                assertEquals(34L, usage.outputTokens, label);
            }
        }
    }
}
