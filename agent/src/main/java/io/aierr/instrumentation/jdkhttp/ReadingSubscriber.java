package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.SuccessBody;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The app's subscriber to a success's body, with aierr reading each chunk on its way (positions
 * untouched, nothing held): the body reaches the app as it would without aierr, and its end, or
 * its failure, ends the call's telemetry with the usage it told.
 */
final class ReadingSubscriber<T> implements BodySubscriber<T> {
    private final BodySubscriber<T> app;
    private final SuccessBody body;

    ReadingSubscriber(BodySubscriber<T> app, SuccessBody body) {
        this.app = app;
        this.body = body;
    }

    @Override
    public CompletionStage<T> getBody() {
        return app.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        app.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        try {
            for (ByteBuffer buffer : item) {
                body.accept(buffer);
            }
        } catch (RuntimeException e) {
            // reading usage is aierr's business; the app's bytes go on regardless
        }
        app.onNext(item);
    }

    @Override
    public void onError(Throwable failure) {
        body.ended();
        app.onError(failure);
    }

    @Override
    public void onComplete() {
        body.ended();
        app.onComplete();
    }
}
