package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.ReplayMemory;
import io.aierr.testing.SeededBytes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapturingPublisherTest {
    /** Reads a publisher the way the client does: one buffer at a time, consuming each. */
    private static CompletableFuture<byte[]> drain(Flow.Publisher<ByteBuffer> publisher) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                while (item.hasRemaining()) {
                    out.write(item.get());
                }
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done;
    }

    @Test
    void anInputStreamBodyReachesTheClientAndIsCapturedWhole() throws Exception {
        byte[] bytes = SeededBytes.of(100_000);
        ReplayMemory.Capture capture = new ReplayMemory(1 << 20).capture(-1);
        AtomicInteger whole = new AtomicInteger();
        CapturingPublisher publisher = new CapturingPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), capture,
                whole::incrementAndGet);
        assertEquals(-1, publisher.contentLength());
        assertArrayEquals(bytes, drain(publisher).get(10, TimeUnit.SECONDS));
        assertEquals(1, whole.get());
        assertArrayEquals(bytes, capture.bytes());
        assertArrayEquals(bytes, drain(JdkRequests.replayOf(capture.bytes(), publisher)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aBodyOverTheLimitStillReachesTheClientButIsNotWhole() throws Exception {
        byte[] bytes = SeededBytes.of(100_000);
        ReplayMemory.Capture capture = new ReplayMemory(50_000).capture(-1);
        AtomicInteger whole = new AtomicInteger();
        CapturingPublisher publisher = new CapturingPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), capture,
                whole::incrementAndGet);
        assertArrayEquals(bytes, drain(publisher).get(10, TimeUnit.SECONDS));
        assertEquals(0, whole.get());
        assertNull(capture.bytes());
    }

    @Test
    void aFailingBodyIsNotWhole() {
        ReplayMemory.Capture capture = new ReplayMemory(1 << 20).capture(-1);
        AtomicInteger whole = new AtomicInteger();
        InputStream failing = new InputStream() {
            private int left = 10;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 'x';
                }
                throw new IOException("disk gone");
            }
        };
        CapturingPublisher publisher = new CapturingPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> failing),
                capture, whole::incrementAndGet);
        CompletableFuture<byte[]> sent = drain(publisher);
        assertTrue(sent.isCompletedExceptionally() || awaitFailure(sent));
        assertEquals(0, whole.get());
        assertFalse(capture.whole());
    }

    private static boolean awaitFailure(CompletableFuture<byte[]> sent) {
        try {
            sent.get(10, TimeUnit.SECONDS);
            return false;
        } catch (Exception e) {
            return true;
        }
    }
}
