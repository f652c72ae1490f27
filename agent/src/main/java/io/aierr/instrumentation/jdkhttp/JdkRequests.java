package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.AiCalls;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;

/** Facts about a {@link HttpRequest} that the retry loop needs. */
final class JdkRequests {
    /**
     * Publishers that produce the same bytes on every subscription. Everything else (input
     * streams, app publishers, concatenations) may be one-shot and is never sent twice.
     */
    private static final Set<String> REPLAYABLE = Set.of(
            "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher",
            "jdk.internal.net.http.RequestPublishers$StringPublisher",
            "jdk.internal.net.http.RequestPublishers$IterablePublisher",
            "jdk.internal.net.http.RequestPublishers$FilePublisher",
            "jdk.internal.net.http.RequestPublishers$EmptyPublisher");

    /** In-memory publishers: reading them again costs a copy, not I/O. */
    private static final Set<String> IN_MEMORY = Set.of(
            "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher",
            "jdk.internal.net.http.RequestPublishers$StringPublisher");

    private static final long MAX_DESCRIBED_BODY = 1 << 20;

    private JdkRequests() {
    }

    static boolean replayable(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        return body.isEmpty() || REPLAYABLE.contains(body.get().getClass().getName());
    }

    static String credential(HttpRequest request) {
        return AiCalls.credential(name -> request.headers().firstValue(name).orElse(null));
    }

    static long timeoutMillis(HttpRequest request) {
        return request.timeout().map(d -> Math.max(1, d.toMillis())).orElse(0L);
    }

    /**
     * The first {@code limit} bytes of an in-memory request body, or null. Subscribing makes the
     * JDK copy the whole body, so large bodies are skipped: the model name is not worth that.
     */
    static byte[] bodyPrefix(HttpRequest request, int limit) {
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        if (body.isEmpty() || !IN_MEMORY.contains(body.get().getClass().getName())
                || body.get().contentLength() > MAX_DESCRIBED_BODY) {
            return null;
        }
        PrefixCollector collector = new PrefixCollector(limit);
        body.get().subscribe(collector);
        return collector.bytes();
    }

    /** Collects a prefix of a publisher that emits synchronously on request. */
    private static final class PrefixCollector implements Flow.Subscriber<ByteBuffer> {
        private final byte[] buffer;
        private int size;
        private boolean done;

        PrefixCollector(int limit) {
            this.buffer = new byte[limit];
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
            subscription.cancel();
        }

        @Override
        public void onNext(ByteBuffer item) {
            ByteBuffer copy = item.duplicate();
            int n = Math.min(copy.remaining(), buffer.length - size);
            copy.get(buffer, size, n);
            size += n;
        }

        @Override
        public void onError(Throwable throwable) {
            done = true;
        }

        @Override
        public void onComplete() {
            done = true;
        }

        byte[] bytes() {
            return size == 0 && !done ? null : java.util.Arrays.copyOf(buffer, size);
        }
    }
}
