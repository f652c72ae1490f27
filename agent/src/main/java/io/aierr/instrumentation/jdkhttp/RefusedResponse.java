package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.limits.Refusal;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The response an app gets when aierr answers its call without sending: the refusal's copied
 * answer, read through the app's own {@code BodyHandler} like any response, so the app's code sees
 * a status and a body of the type it asked for.
 */
final class RefusedResponse {
    private RefusedResponse() {
    }

    static <T> CompletableFuture<HttpResponse<T>> of(HttpRequest request, BodyHandler<T> handler, Refusal refusal) {
        int status = refusal.answer.status;
        HttpHeaders headers = HttpHeaders.of(refusal.headers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))), (name, value) -> true);
        ResponseInfo info = new ResponseInfo() {
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
        };
        BodySubscriber<T> subscriber;
        try {
            subscriber = handler.apply(info);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        subscriber.onSubscribe(new OneBuffer(subscriber, refusal.answer.body));
        return subscriber.getBody().toCompletableFuture()
                .thenApply(body -> new AssembledResponse<>(request, info, body));
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
}
