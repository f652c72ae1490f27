package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.retry.AiCall;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.Headers;
import io.aierr.core.retry.RetryDecision;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Wraps the app's {@link BodyHandler} for one attempt. Successes go straight to the app's
 * handler (no copy, streams stay streams). Error responses are first peeked and decided on: a
 * response to retry is drained and dropped without the app's handler ever seeing it; the final
 * one is replayed into the app's handler byte for byte, and one whose body broke while peeked
 * (never retried) with its read error after the bytes that came.
 */
final class AttemptHandler<T> implements BodyHandler<T> {
    private final BodyHandler<T> app;
    private final AiCall call;
    private final HttpRequest request;
    private volatile int status;
    private volatile Headers headers = Headers.EMPTY;
    private volatile RetryDecision decision;
    private volatile ResponseInfo errorInfo;
    /** The peek of this attempt's error response. */
    private volatile PeekingSubscriber<T> peeking;

    AttemptHandler(BodyHandler<T> app, AiCall call, HttpRequest request) {
        this.app = app;
        this.call = call;
        this.request = request;
    }

    @Override
    public BodySubscriber<T> apply(ResponseInfo info) {
        status = info.statusCode();
        headers = Headers.of(info.headers().map());
        if (status < 400) {
            return app.apply(info);
        }
        errorInfo = info;
        peeking = new PeekingSubscriber<>(AiCall.PEEK_LIMIT, (prefix, truncated, broken) -> {
            ErrorResponse response = new ErrorResponse(request.method(), request.uri().toString(), info.statusCode(),
                    headers, prefix, truncated, broken, System.currentTimeMillis());
            decision = call.onErrorResponse(response);
            return decision.retry ? null : app.apply(info);
        });
        return peeking;
    }

    /**
     * The response for the app although the client failed this attempt, or null when the failure is
     * the app's. The client takes a subscriber's body on another thread, and fails the exchange when
     * the body fails before it took it; without aierr the app's subscriber hands over its body
     * (an {@code InputStream}...) before the failure comes, as the app reads, and the app gets the
     * response. aierr's peek reads ahead, so the failure may come first: when the app's subscriber
     * did have its body by then, the app gets the response all the same, the failure in its body.
     */
    HttpResponse<T> bodyFirst() {
        PeekingSubscriber<T> peeked = peeking;
        RetryDecision d = decision;
        if (peeked == null || d == null || d.retry) {
            return null;
        }
        CompletableFuture<T> body = peeked.getBody().toCompletableFuture();
        if (!body.isDone() || body.isCompletedExceptionally()) {
            return null;
        }
        return new AssembledResponse<>(request, errorInfo, body.join());
    }

    int status() {
        return status;
    }

    Headers headers() {
        return headers;
    }

    /** The decision on this attempt's error response; null for a success. */
    RetryDecision decision() {
        return decision;
    }

    /** True when the response was dropped to send again; its body is then null. */
    boolean discarded() {
        RetryDecision d = decision;
        return d != null && d.retry;
    }
}
