package io.aierr.core.retry;

import io.aierr.core.CallObserver;
import io.aierr.core.EndpointMatcher;
import io.aierr.core.Headers;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.limits.EndpointPolicy;
import io.aierr.core.usage.ResponseUsage;
import io.aierr.core.usage.UsageReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A success's body as the app reads it through {@link SuccessBody#reading}: when the call it belongs to ends. */
class SuccessBodyTest {
    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o-mini\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}").getBytes(StandardCharsets.UTF_8);

    /** What the observer heard, from whichever thread told it. */
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final AiCalls calls = new AiCalls(EndpointMatcher.create(List.of(), null),
            new RetryPolicy(true, Set.of(429), 3, 1, 10, 10_000, bound -> bound),
            new EndpointPolicy(false, false, false, -1, 0, 0, 0), info -> new CallObserver() {
                @Override
                public void responseRead(ResponseUsage usage) {
                    heard.add("usage " + usage.inputTokens + "/" + usage.outputTokens);
                }

                @Override
                public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure, String reason) {
                    heard.add("ended " + status);
                }
            });

    /** A call whose success answered and whose body the app now holds, unread. */
    private InputStream answeredWithBody() {
        AiCall call = calls.begin("openai", "POST", URI.create("https://api.openai.com/v1/chat/completions"), null,
                null, true, 0, null);
        call.admit();
        call.beginAttempt();
        InputStream body = call.successBody("application/json").reading(new ByteArrayInputStream(COMPLETION));
        call.onSuccess(200, Headers.of(Map.of()));
        return body;
    }

    @Test
    void theCallEndsWhenTheAppHasReadTheBodyWithWhatItSaid() throws IOException {
        InputStream body = answeredWithBody();
        assertEquals(List.of(), heard, "the app still reads");
        assertArrayEquals(COMPLETION, body.readAllBytes());
        assertEquals(List.of("usage 9/3", "ended 200"), heard);
        body.close();
        assertEquals(List.of("usage 9/3", "ended 200"), heard, "once");
    }

    @Test
    void aBodyTheAppDropsUnreadStillEndsTheCallAtTheNextSuccess() throws InterruptedException {
        answeredWithBody().hashCode(); // dropped at once, as by an app that never closes its response
        List<InputStream> later = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (heard.isEmpty() && System.nanoTime() - deadline < 0) {
            System.gc();
            Thread.sleep(20);
            later.add(answeredWithBody()); // held, unread: only the dropped one may end
        }
        assertEquals(List.of("ended 200"), heard);
    }

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
