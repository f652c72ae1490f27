package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.BlockingRetries;
import io.aierr.core.retry.Verdict;
import io.aierr.instrumentation.CallDepth;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.util.concurrent.ExecutionException;

/** A {@code send} call's side of the blocking retry loop: each attempt is a full {@code send} of the client. */
final class SendExchange<T> extends JdkResponses<T> implements BlockingRetries.Exchange<HttpResponse<T>, Exception> {
    private final HttpClient client;
    private final BodyHandler<T> handler;
    private final AttemptRequests requests;

    SendExchange(HttpClient client, BodyHandler<T> handler, AttemptRequests requests) {
        this.client = client;
        this.handler = handler;
        this.requests = requests;
    }

    @Override
    public HttpResponse<T> send(String traceparent, Verdict verdict) throws Exception {
        AttemptHandler<T> attempt = new AttemptHandler<>(handler, verdict, requests.original());
        try {
            return CallDepth.asAgent(() -> client.send(requests.next(traceparent), attempt));
        } catch (Exception | Error e) {
            HttpResponse<T> bodyFirst = attempt.bodyFirst();
            if (bodyFirst != null) {
                return bodyFirst;
            }
            throw e;
        }
    }

    /** Interrupted, the app sees what an interrupted send throws; the flag stays cleared, as the JDK leaves it. */
    @Override
    public void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    @Override
    public HttpResponse<T> answer(Refusal refusal) throws Exception {
        try {
            return RefusedResponse.of(requests.original(), handler, refusal).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
