package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.limits.Refusal;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The response an app gets when aierr answers its call without sending: the refusal's copied
 * answer, read through the app's own {@code BodyHandler} like any response, so the app's code sees
 * a status and a body of the type it asked for.
 */
final class RefusedResponse<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final int status;
    private final HttpHeaders headers;
    private final T body;

    private RefusedResponse(HttpRequest request, int status, HttpHeaders headers, T body) {
        this.request = request;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    static <T> CompletableFuture<HttpResponse<T>> of(HttpRequest request, BodyHandler<T> handler, Refusal refusal) {
        int status = refusal.answer.status;
        HttpHeaders headers = HttpHeaders.of(refusal.headers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))), (name, value) -> true);
        BodySubscriber<T> subscriber;
        try {
            subscriber = handler.apply(new ResponseInfo() {
                @Override
                public int statusCode() {
                    return status;
                }

                @Override
                public HttpHeaders headers() {
                    return headers;
                }

                @Override
                public HttpClient.Version version() {
                    return HttpClient.Version.HTTP_1_1;
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        subscriber.onSubscribe(new OneBuffer(subscriber, refusal.answer.body));
        return subscriber.getBody().toCompletableFuture()
                .thenApply(body -> new RefusedResponse<>(request, status, headers, body));
    }

    /** Emits the whole body as one buffer on the first request, then completes. */
    private static final class OneBuffer implements Flow.Subscription {
        private final Flow.Subscriber<? super List<ByteBuffer>> subscriber;
        private final byte[] body;
        private final AtomicBoolean done = new AtomicBoolean();

        OneBuffer(Flow.Subscriber<? super List<ByteBuffer>> subscriber, byte[] body) {
            this.subscriber = subscriber;
            this.body = body;
        }

        @Override
        public void request(long n) {
            if (n > 0 && done.compareAndSet(false, true)) {
                if (body.length > 0) {
                    subscriber.onNext(List.of(ByteBuffer.wrap(body).asReadOnlyBuffer()));
                }
                subscriber.onComplete();
            }
        }

        @Override
        public void cancel() {
            done.set(true);
        }
    }

    @Override
    public int statusCode() {
        return status;
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
        return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public T body() {
        return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return Optional.empty();
    }

    @Override
    public URI uri() {
        return request.uri();
    }

    @Override
    public HttpClient.Version version() {
        return HttpClient.Version.HTTP_1_1;
    }

    @Override
    public String toString() {
        return "(" + request.method() + " " + request.uri() + ") " + status + " (answered by aierr)";
    }
}
