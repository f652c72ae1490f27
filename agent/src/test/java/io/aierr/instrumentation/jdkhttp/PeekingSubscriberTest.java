package io.aierr.instrumentation.jdkhttp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The peek of a JDK error body that breaks before the decision: the app's subscriber gets what came, then the error. */
class PeekingSubscriberTest {
    private static final byte[] CAME = "{\"error\":{\"message\":\"This model's maxi".getBytes(StandardCharsets.UTF_8);
    private static final IOException EOF = new IOException("fixed content-length: 4096, bytes received: 39");

    /** A body as the client delivers it: one item per request, then the failure on the next request. */
    private static final class BreakingUpstream implements Flow.Subscription {
        final List<String> log = new ArrayList<>();
        private final Flow.Subscriber<List<ByteBuffer>> subscriber;
        private boolean sent;

        BreakingUpstream(Flow.Subscriber<List<ByteBuffer>> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            log.add("request " + n);
            if (!sent) {
                sent = true;
                subscriber.onNext(List.of(ByteBuffer.wrap(CAME)));
            } else {
                subscriber.onError(EOF);
            }
        }

        @Override
        public void cancel() {
            log.add("cancel");
        }
    }

    /** Peeks with a decider that gives up and hands the body to {@code app}; records what it was told. */
    private static <T> PeekingSubscriber<T> peek(BodySubscriber<T> app, List<String> told) {
        return PeekingSubscriber.peeking(64 * 1024, (prefix, truncated, broken) -> {
            told.add(new String(prefix, StandardCharsets.UTF_8) + " truncated=" + truncated + " broken=" + broken);
            return app;
        });
    }

    @Test
    void aStreamReaderReadsTheBytesThatCameThenMeetsTheFailure() throws IOException {
        List<String> told = new ArrayList<>();
        BodySubscriber<InputStream> app = BodySubscribers.ofInputStream();
        PeekingSubscriber<InputStream> peeking = peek(app, told);
        BreakingUpstream upstream = new BreakingUpstream(peeking);
        peeking.onSubscribe(upstream);

        assertEquals(List.of(new String(CAME, StandardCharsets.UTF_8) + " truncated=true broken=true"), told,
                "decided on what came, knowing the body broke");
        InputStream body = peeking.getBody().toCompletableFuture().join();
        assertArrayEquals(CAME, body.readNBytes(CAME.length), "the bytes that came, first");
        IOException failure = assertThrows(IOException.class, body::read);
        assertSame(EOF, failure.getCause(), "then the client's own error, as ofInputStream reports it");
        assertFalse(upstream.log.contains("cancel"));
    }

    @Test
    void aWholeBodyReaderFailsWithTheSameError() {
        List<String> told = new ArrayList<>();
        PeekingSubscriber<String> peeking = peek(BodySubscribers.ofString(StandardCharsets.UTF_8), told);
        peeking.onSubscribe(new BreakingUpstream(peeking));

        assertEquals(1, told.size());
        CompletionException failed = assertThrows(CompletionException.class,
                () -> peeking.getBody().toCompletableFuture().join());
        assertSame(EOF, failed.getCause());
    }

    @Test
    void aBodyDroppedForARetryIsNotHandedOn() {
        PeekingSubscriber<String> peeking = PeekingSubscriber.peeking(8, (prefix, truncated, broken) -> null);
        BreakingUpstream upstream = new BreakingUpstream(peeking);
        peeking.onSubscribe(upstream);
        assertTrue(upstream.log.contains("cancel"), "the rest of a dropped body is cancelled: " + upstream.log);
        assertEquals(null, peeking.getBody().toCompletableFuture().join());
    }
}
