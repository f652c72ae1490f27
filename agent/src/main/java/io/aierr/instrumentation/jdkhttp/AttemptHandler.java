package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.Headers;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.FirstEvent;
import io.aierr.core.retry.RetryDecision;
import io.aierr.core.retry.Verdict;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Wraps the app's {@link BodyHandler} for one attempt. Successes go straight to the app's
 * handler (no copy, streams stay streams), their usage and in-band errors read on the way; an event
 * stream of a replayable call only once its first event came and carries no error to retry (see
 * {@link FirstEvent}). Error responses are first peeked and decided on: a
 * response to retry is drained and dropped without the app's handler ever seeing it; the final
 * one is replayed into the app's handler byte for byte, and one whose body broke while peeked
 * (never retried) with its read error after the bytes that came.
 */
final class AttemptHandler<T> implements BodyHandler<T> {
    private final BodyHandler<T> app;
    private final Verdict verdict;
    private final HttpRequest request;
    private volatile ResponseInfo errorInfo;
    /** The peek of this attempt's error response. */
    private volatile PeekingSubscriber<T> peeking;

    /** @param request the request this attempt sent, for the response aierr assembles */
    AttemptHandler(BodyHandler<T> app, Verdict verdict, HttpRequest request) {
        this.app = app;
        this.verdict = verdict;
        this.request = request;
    }

    @Override
    public BodySubscriber<T> apply(ResponseInfo info) {
        if (info.statusCode() < 400) {
            String contentType = info.headers().firstValue("content-type").orElse(null);
            if (!verdict.holdsFirstEvent(contentType)) {
                return new ReadingSubscriber<>(app.apply(info), verdict.successBody(contentType));
            }
            Headers headers = Headers.of(info.headers().map());
            FirstEvent first = new FirstEvent();
            return PeekingSubscriber.holdingFirstEvent(first, verdict.firstEventWaitMillis(), (prefix, truncated, broken) -> {
                RetryDecision d = broken ? null : verdict.judgeFirstEvent(headers, first);
                return d != null && d.retry ? null : new ReadingSubscriber<>(app.apply(info), verdict.successBody(contentType));
            });
        }
        errorInfo = info;
        Headers headers = Headers.of(info.headers().map());
        peeking = PeekingSubscriber.peeking(AiCall.PEEK_LIMIT, (prefix, truncated, broken) ->
                verdict.judge(info.statusCode(), headers, prefix, truncated, broken).retry ? null : app.apply(info));
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
        RetryDecision d = verdict.decision();
        if (peeked == null || d == null || d.retry) {
            return null;
        }
        CompletableFuture<T> body = peeked.getBody().toCompletableFuture();
        if (!body.isDone() || body.isCompletedExceptionally()) {
            return null;
        }
        return new AssembledResponse<>(request, errorInfo, body.join());
    }
}
