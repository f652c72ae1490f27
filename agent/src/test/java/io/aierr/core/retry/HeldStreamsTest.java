package io.aierr.core.retry;

import io.aierr.core.CallObserver;
import io.aierr.core.EndpointMatcher;
import io.aierr.core.Headers;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.limits.EndpointPolicy;
import io.aierr.core.limits.Refusal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A blocking client's event stream, held for its first event, through the blocking loop. */
class HeldStreamsTest {
    private static final String OVERLOADED = "event: error\ndata: {\"type\":\"error\",\"error\":"
            + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    private static final String GOOD = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}\n\n";
    private static final String MID_ERROR = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n" + OVERLOADED;

    /** What the observer heard: attempt outcomes, in-band errors, the call's end. */
    private final List<String> heard = new ArrayList<>();
    private final AiCalls calls = new AiCalls(EndpointMatcher.create(List.of(), null),
            new RetryPolicy(true, Set.of(429, 503, 529), 3, 1, 10, 10_000, bound -> bound).holdingFirstEvent(200),
            new EndpointPolicy(false, false, false, -1, 0, 0, 0), info -> new CallObserver() {
                @Override
                public void attemptResponded(int attempt, int status, ClassifiedError error) {
                    heard.add(status + (error == null ? "" : " " + error.category.id()));
                }

                @Override
                public void inBandError(ClassifiedError error) {
                    heard.add("in-band " + error.category.id());
                }

                @Override
                public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure, String reason) {
                    heard.add("ended " + attempts + " " + status + (error == null ? "" : " " + error.category.id()));
                }
            });

    /** Stream responses from a script; the app reads each delivered one whole. */
    private static class Streams implements BlockingRetries.Exchange<InputStream[], IOException> {
        final Deque<InputStream> script = new ArrayDeque<>();
        final List<String> log = new ArrayList<>();
        final CountDownLatch handedOver = new CountDownLatch(1);
        String read;

        Streams then(InputStream body) {
            script.add(body);
            return this;
        }

        Streams then(String body) {
            return then(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public InputStream[] send(String traceparent, Verdict verdict) {
            log.add("send");
            return new InputStream[] {script.remove()};
        }

        @Override
        public int status(InputStream[] response) {
            return 200;
        }

        @Override
        public Headers headers(InputStream[] response) {
            return Headers.of(Map.of("content-type", List.of("text/event-stream; charset=utf-8")));
        }

        @Override
        public InputStream successContent(InputStream[] response) {
            return response[0];
        }

        @Override
        public InputStream[] withBody(InputStream[] response, InputStream content) {
            handedOver.countDown();
            try (content) {
                read = new String(content.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return response;
        }

        @Override
        public void discard(InputStream[] response) {
            log.add("discard");
        }

        @Override
        public void pause(long millis) {
            log.add("pause");
        }

        @Override
        public InputStream[] answer(Refusal refusal) {
            throw new AssertionError(refusal);
        }
    }

    private AiCall call(boolean replayable) {
        return calls.begin("anthropic", "POST", URI.create("https://api.anthropic.com/v1/messages"), null, null,
                replayable, 0, null);
    }

    @Test
    void anOverloadedFirstEventIsDroppedUnseenAndSentAgain() throws IOException {
        Streams streams = new Streams().then(OVERLOADED).then(GOOD);
        BlockingRetries.run(call(true), streams);
        assertEquals(GOOD, streams.read);
        assertEquals(List.of("send", "discard", "pause", "send"), streams.log);
        assertEquals(List.of("200 overloaded", "200", "ended 2 200"), heard);
    }

    @Test
    void aRequestThatCannotBeSentAgainIsNotHeldAndItsErrorIsTheApps() throws IOException {
        Streams streams = new Streams().then(OVERLOADED);
        BlockingRetries.run(call(false), streams);
        assertEquals(OVERLOADED, streams.read);
        assertEquals(List.of("in-band overloaded", "200", "ended 1 200 overloaded"), heard, "this app reads at once");
    }

    @Test
    void spentAttemptsHandTheLastStreamOverAsItCame() throws IOException {
        Streams streams = new Streams().then(OVERLOADED).then(OVERLOADED).then(OVERLOADED);
        BlockingRetries.run(call(true), streams);
        assertEquals(OVERLOADED, streams.read);
        assertEquals(List.of("send", "discard", "pause", "send", "discard", "pause", "send"), streams.log);
        assertEquals(List.of("200 overloaded", "200 overloaded", "in-band overloaded", "200", "ended 3 200 overloaded"),
                heard);
    }

    @Test
    void aMidStreamErrorIsNeverRetried() throws IOException {
        Streams streams = new Streams().then(MID_ERROR).then(GOOD);
        BlockingRetries.run(call(true), streams);
        assertEquals(MID_ERROR, streams.read);
        assertEquals(List.of("send"), streams.log);
        assertEquals(List.of("in-band overloaded", "200", "ended 1 200 overloaded"), heard);
    }

    @Test
    void aStreamThatStallsMidEventIsHandedOverAfterTheWaitWithEveryByteInOrder() throws Exception {
        PipedOutputStream server = new PipedOutputStream();
        PipedInputStream body = new PipedInputStream(server, 1 << 16);
        server.write("event: message_start\ndata: {\"ty".getBytes(StandardCharsets.UTF_8));
        Streams streams = new Streams().then(body);
        AtomicBoolean restWaitedForTheApp = new AtomicBoolean();
        Thread rest = new Thread(() -> {
            try {
                // the rest comes only once the app has the stream: a hold that waited for it would wait in vain
                restWaitedForTheApp.set(streams.handedOver.await(10, TimeUnit.SECONDS));
                server.write(("pe\":\"message_start\"}\n\n" + OVERLOADED).getBytes(StandardCharsets.UTF_8));
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        rest.start();
        BlockingRetries.run(call(true), streams);
        rest.join();
        assertEquals(MID_ERROR, streams.read);
        assertEquals(List.of("send"), streams.log);
        assertTrue(restWaitedForTheApp.get(), "handed over after the hold's wait, before the event was whole");
        assertTrue(heard.contains("in-band overloaded"), heard.toString());
    }

    @Test
    void aStreamThatBreaksWhileHeldReachesTheAppWithItsBytesThenTheSameFailure() throws IOException {
        IOException reset = new IOException("connection reset");
        byte[] came = "event: error\ndata: {\"ty".getBytes(StandardCharsets.UTF_8);
        InputStream breaking = new SequenceInputStream(new ByteArrayInputStream(came), new InputStream() {
            @Override
            public int read() throws IOException {
                throw reset;
            }
        });
        InputStream[] handed = new InputStream[1];
        Streams streams = new Streams() {
            @Override
            public InputStream[] withBody(InputStream[] response, InputStream content) {
                handed[0] = content;
                return response;
            }
        }.then(breaking);
        BlockingRetries.run(call(true), streams);
        assertEquals(List.of("send"), streams.log, "a broken stream is never retried");
        assertArrayEquals(came, handed[0].readNBytes(came.length));
        assertSame(reset, assertThrows(IOException.class, () -> handed[0].read()));
    }

    @Test
    void inBandErrorsAreClassifiedAsTheirCategorySays() {
        assertNull(new RetryPolicy(true, Set.of(429), 3, 1, 10, 10_000, b -> b)
                .decideFirstEvent(new ClassifiedError("openai", Category.CONTENT_FILTERED, 200, null, null, null,
                        false, null, null), 1, 0, Long.MAX_VALUE, true, false).source);
        assertTrue(new RetryPolicy(true, Set.of(429), 3, 1, 10, 10_000, b -> b)
                .decideFirstEvent(new ClassifiedError("anthropic", Category.OVERLOADED, 0, null, null, null,
                        true, null, null), 1, 0, Long.MAX_VALUE, true, false).retry, "no status named: its category decides");
        assertTrue(!new RetryPolicy(true, Set.of(429), 3, 1, 10, 10_000, b -> b)
                .decideFirstEvent(new ClassifiedError("vllm", Category.SERVER_ERROR, 500, null, null, null,
                        false, null, null), 1, 0, Long.MAX_VALUE, true, false).retry, "a status named: the list decides");
    }
}
