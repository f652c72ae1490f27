package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.ReplayMemory;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * The app's body publisher for the first attempt of a call whose body the JDK cannot re-create
 * (a custom publisher, {@code ofInputStream}): passes every buffer through to the client and copies
 * it into the call's capture. When the publisher completes within the replay limit, {@code whole}
 * runs: the retries then send the copy, the same bytes.
 */
final class CapturingPublisher implements HttpRequest.BodyPublisher {
    private final HttpRequest.BodyPublisher body;
    private final ReplayMemory.Capture capture;
    private final Runnable whole;

    CapturingPublisher(HttpRequest.BodyPublisher body, ReplayMemory.Capture capture, Runnable whole) {
        this.body = body;
        this.capture = capture;
        this.whole = whole;
    }

    @Override
    public long contentLength() {
        return body.contentLength();
    }

    /**
     * The client subscribes again when it resends within one attempt (a redirect, an authentication
     * challenge): the copy starts over, unless a complete one is already kept.
     */
    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (capture.whole()) {
            body.subscribe(subscriber);
            return;
        }
        capture.restart();
        body.subscribe(new Copying(subscriber));
    }

    private final class Copying implements Flow.Subscriber<ByteBuffer> {
        private final Flow.Subscriber<? super ByteBuffer> client;

        Copying(Flow.Subscriber<? super ByteBuffer> client) {
            this.client = client;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            client.onSubscribe(subscription);
        }

        @Override
        public void onNext(ByteBuffer item) {
            // copied before the client reads it, which moves its position
            capture.write(item);
            client.onNext(item);
        }

        @Override
        public void onError(Throwable failure) {
            capture.drop();
            client.onError(failure);
        }

        @Override
        public void onComplete() {
            // known before the client ends the request, so before any response is judged
            if (capture.complete()) {
                whole.run();
            }
            client.onComplete();
        }
    }
}
