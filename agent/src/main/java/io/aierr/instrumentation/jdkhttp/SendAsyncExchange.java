package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.core.retry.Delayed;
import io.aierr.instrumentation.CallDepth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@code sendAsync} call's side of the async retry chain: each attempt is a {@code sendAsync} of
 * the client, and the app holds one future for the whole call; cancelling it stops the call.
 */
final class SendAsyncExchange<T> extends JdkResponses<T> implements AsyncRetries.Exchange<HttpResponse<T>> {
    private final HttpClient client;
    private final BodyHandler<T> handler;
    private final PushPromiseHandler<T> push;
    private final AttemptRequests requests;
    /** The client's own executor, or null when it has none. */
    private final Executor executor;
    private final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    private volatile CompletableFuture<HttpResponse<T>> inFlight;

    SendAsyncExchange(HttpClient client, BodyHandler<T> handler, PushPromiseHandler<T> push,
                      AttemptRequests requests) {
        this.client = client;
        this.handler = handler;
        this.push = push;
        this.requests = requests;
        this.executor = client.executor().orElse(null);
    }

    /** Runs the call; returns the future the app gets. */
    CompletableFuture<HttpResponse<T>> start(AiCall call) {
        AsyncRetries<HttpResponse<T>> retries = new AsyncRetries<>(call, this);
        result.whenComplete((response, failure) -> {
            requests.release();
            if (result.isCancelled()) {
                retries.cancel();
            }
        });
        retries.proceed(retries.admit());
        return result;
    }

    @Override
    public void send(String traceparent, AsyncRetries<HttpResponse<T>>.Attempt attempt) {
        AttemptHandler<T> attemptHandler = new AttemptHandler<>(handler, attempt.verdict(), requests.original());
        HttpRequest sent = requests.next(traceparent);
        CompletableFuture<HttpResponse<T>> future = CallDepth.asAgent(() -> sendAsync(client, sent, attemptHandler, push));
        inFlight = future;
        future.whenComplete((response, failure) -> {
            // a failure after the app's own handler took the body is still the app's response
            HttpResponse<T> answered = failure == null ? response : attemptHandler.bodyFirst();
            if (answered != null) {
                attempt.responded(answered);
            } else {
                attempt.failed(failure);
            }
        });
    }

    static <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpClient client, HttpRequest request,
                                                            BodyHandler<T> handler, PushPromiseHandler<T> push) {
        return push == null ? client.sendAsync(request, handler) : client.sendAsync(request, handler, push);
    }

    @Override
    public void cancelInFlight() {
        CompletableFuture<HttpResponse<T>> current = inFlight;
        if (current != null) {
            current.cancel(true);
        }
    }

    @Override
    public void complete(HttpResponse<T> response) {
        result.complete(response);
    }

    @Override
    public void fail(Throwable failure) {
        result.completeExceptionally(failure);
    }

    @Override
    public void answer(Refusal refusal) {
        RefusedResponse.of(requests.original(), handler, refusal).whenComplete((response, failure) -> {
            if (failure == null) {
                result.complete(response);
            } else {
                result.completeExceptionally(failure);
            }
        });
    }

    /** The app's future is cancelled already: nothing more to tell. */
    @Override
    public void cancelledWhileWaiting() {
    }

    /**
     * On the client's executor, and at once when there is no wait: the last answer came on that
     * executor (or on the client's own threads, when it has none).
     */
    @Override
    public void after(long millis, Runnable send) {
        if (executor == null && millis > 0) {
            Delayed.offThread(millis, send);
        } else {
            Delayed.run(millis, executor == null ? Runnable::run : executor, send);
        }
    }
}
