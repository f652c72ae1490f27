package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.RequestBodyPrefix;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.function.BiPredicate;

/** Facts about a {@link HttpRequest} that the retry loop needs. */
final class JdkRequests {
    /**
     * Publishers that produce the same bytes on every subscription. Everything else (input
     * streams, app publishers, concatenations) may be one-shot: it is sent again only from a
     * capture of its first send ({@link CapturingPublisher}).
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

    static final String TRACEPARENT = "traceparent";
    private static final BiPredicate<String, String> KEEP_ALL = (name, value) -> true;
    private static final BiPredicate<String, String> NOT_TRACEPARENT = (name, value) -> !TRACEPARENT.equalsIgnoreCase(name);
    /** {@code HttpRequest.newBuilder(HttpRequest, BiPredicate)}, JDK 16+: the JDK's own exact copy. */
    private static final MethodHandle JDK_COPY = jdkCopy();

    private JdkRequests() {
    }

    static boolean replayable(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        return body.isEmpty() || REPLAYABLE.contains(body.get().getClass().getName());
    }

    /** A publisher of these bytes, framed as {@code original} frames its body (a length, or chunks). */
    static HttpRequest.BodyPublisher replayOf(byte[] bytes, HttpRequest.BodyPublisher original) {
        HttpRequest.BodyPublisher known = HttpRequest.BodyPublishers.ofByteArray(bytes);
        return original.contentLength() < 0 ? HttpRequest.BodyPublishers.fromPublisher(known) : known;
    }

    static String credential(HttpRequest request) {
        return AiCalls.credential(name -> request.headers().firstValue(name).orElse(null));
    }

    static long timeoutMillis(HttpRequest request) {
        return request.timeout().map(d -> Math.max(1, d.toMillis())).orElse(0L);
    }

    /**
     * A copy of the app's request that carries this traceparent instead of any the app set. The
     * request is immutable and the app may send it again itself: it is never changed.
     */
    static HttpRequest withTraceparent(HttpRequest request, String traceparent) {
        return copy(request, null, traceparent);
    }

    /**
     * A copy of the app's request for one attempt: with {@code body} in place of its own body
     * publisher unless null, with {@code traceparent} in place of any the app set unless null.
     */
    static HttpRequest copy(HttpRequest request, HttpRequest.BodyPublisher body, String traceparent) {
        BiPredicate<String, String> keep = traceparent == null ? KEEP_ALL : NOT_TRACEPARENT;
        HttpRequest.Builder copy;
        try {
            copy = JDK_COPY != null ? (HttpRequest.Builder) JDK_COPY.invokeExact(request, keep) : copyOf(request, keep);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (body != null) {
            copy.method(request.method(), body);
        }
        if (traceparent != null) {
            copy.header(TRACEPARENT, traceparent);
        }
        return copy.build();
    }

    /** What the JDK 16+ copy does, for JDK 11 to 15: same method, URI, body, timeout, version, expect-continue. */
    static HttpRequest.Builder copyOf(HttpRequest request, BiPredicate<String, String> keepHeader) {
        HttpRequest.Builder copy = HttpRequest.newBuilder(request.uri());
        request.headers().map().forEach((name, values) -> values.forEach(value -> {
            if (keepHeader.test(name, value)) {
                copy.header(name, value);
            }
        }));
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        String method = request.method();
        // GET() and DELETE() leave the body empty, as the app's request has it
        if (body.isEmpty() && "GET".equals(method)) {
            copy.GET();
        } else if (body.isEmpty() && "DELETE".equals(method)) {
            copy.DELETE();
        } else {
            copy.method(method, body.orElseGet(HttpRequest.BodyPublishers::noBody));
        }
        request.timeout().ifPresent(copy::timeout);
        request.version().ifPresent(copy::version);
        return copy.expectContinue(request.expectContinue());
    }

    private static MethodHandle jdkCopy() {
        try {
            return MethodHandles.publicLookup().findStatic(HttpRequest.class, "newBuilder",
                    MethodType.methodType(HttpRequest.Builder.class, HttpRequest.class, BiPredicate.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
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
        PrefixCollector collector = new PrefixCollector(RequestBodyPrefix.sizedTo(body.get().contentLength(), limit));
        body.get().subscribe(collector);
        return collector.bytes();
    }

    /** Collects a prefix of a publisher that emits synchronously on request. */
    private static final class PrefixCollector implements Flow.Subscriber<ByteBuffer> {
        private final RequestBodyPrefix prefix;
        private boolean done;

        PrefixCollector(RequestBodyPrefix prefix) {
            this.prefix = prefix;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
            subscription.cancel();
        }

        @Override
        public void onNext(ByteBuffer item) {
            prefix.write(item);
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
            byte[] kept = prefix.bytes();
            return kept.length == 0 && !done ? null : kept;
        }
    }
}
