package io.aierr.instrumentation.okhttp.okhttp3;

import io.aierr.core.Headers;
import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.PeekedBody;
import io.aierr.core.retry.Responses;
import io.aierr.instrumentation.okhttp.SendingCalls;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Okio;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One OkHttp call as the app made it, across its attempts: what both retry drivers need of it.
 * The first attempt is the app's own call object, already under way when aierr sees it: its request
 * cannot change, so it goes out without aierr's traceparent. Each later one is a fresh call of the
 * same client for the same request, carrying the traceparent of its attempt, given what is left of
 * the call timeout. A cancel of the app's call reaches the copy in flight.
 */
abstract class LogicalCall implements Responses<Response, Exception> {
    final Call appCall;
    final AiCall call;
    final Consumer<String> warn;
    private final SendingCalls sending;
    private volatile boolean cancelled;
    private volatile boolean appCallSent;
    /** The call of the attempt being sent; the app's own call for the first. */
    private volatile Call inFlight;
    /** Requests the attempt in flight sent below the app's interceptors: more than one when they resend. */
    private volatile int sendsOfAttempt;

    LogicalCall(Call appCall, AiCall call, Consumer<String> warn, SendingCalls sending) {
        this.appCall = appCall;
        this.call = call;
        this.warn = warn;
        this.sending = sending;
        this.inFlight = appCall;
    }

    /**
     * The call that sends the attempt begun last: the app's own for the first, then copies carrying
     * {@code traceparent}; a copy is already cancelled when the app cancelled meanwhile.
     *
     * @throws IOException when no copy can be made
     */
    Call callFor(String traceparent) throws IOException {
        sendsOfAttempt = 0;
        if (!appCallSent) {
            appCallSent = true;
            return appCall;
        }
        try {
            Call next = CallClient.copy(appCall, cancelled ? null : traceparent);
            long remaining = call.remainingMillis();
            if (remaining != Long.MAX_VALUE) {
                // never 0, which OkHttp reads as "no timeout"; a spent timeout fails the attempt as OkHttp would
                next.timeout().timeout(Math.max(1, remaining), TimeUnit.MILLISECONDS);
            }
            inFlight = next;
            if (cancelled) {
                next.cancel();
            }
            return next;
        } catch (RuntimeException e) {
            throw new IOException("aierr could not retry", e);
        }
    }

    /** The first attempt goes out through OkHttp's own enqueue, as the app's call. */
    void appCallSentByOkHttp() {
        appCallSent = true;
    }

    /** {@code current} carries this call's attempt until {@link #attemptEnded}. */
    void attemptSentBy(Call current) {
        sending.started(current, this::sentBelowInterceptors);
    }

    void attemptEnded(Call current) {
        sending.ended(current);
    }

    /**
     * One request of the attempt in flight goes out. An app's interceptor that sends again within the
     * attempt (its own retry loop) costs the server a request each time: they count as attempts.
     */
    private void sentBelowInterceptors() {
        if (sendsOfAttempt++ > 0) {
            call.sentAgainInside();
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The app cancelled its call: wake a waiting caller and cancel the copy in flight. */
    void cancel() {
        synchronized (this) {
            cancelled = true;
            notifyAll();
        }
        Call current = inFlight;
        if (current != appCall) {
            current.cancel();
        }
    }

    /**
     * The response the app gets for a call aierr answers without sending; null when it cannot be made.
     * {@code ResponseBody.create(MediaType, byte[])} is deprecated in 4.x and 5.x, but their
     * replacement does not exist in 3.x.
     */
    @SuppressWarnings("deprecation")
    Response refusalAnswer(Refusal refusal) {
        try {
            Response.Builder answer = new Response.Builder().request(appCall.request()).protocol(Protocol.HTTP_1_1)
                    .code(refusal.answer.status).message("");
            refusal.headers().forEach(answer::header);
            String type = refusal.answer.contentType;
            return answer.body(ResponseBody.create(type == null ? null : MediaType.parse(type), refusal.answer.body))
                    .build();
        } catch (RuntimeException e) {
            warn.accept("OkHttp call sent although aierr refused it (" + refusal + "): " + e);
            return null;
        }
    }

    @Override
    public int status(Response response) {
        return response.code();
    }

    @Override
    public Headers headers(Response response) {
        okhttp3.Headers headers = response.headers();
        return Headers.ofPairs(headers.size(), headers::name, headers::value);
    }

    /** Looks one byte past the limit ahead in the body's own buffer: the body stays whole for the app. */
    @Override
    public PeekedBody peek(Response response) {
        ResponseBody body = response.body();
        return PeekedBody.read(() -> body == null ? null : new Lookahead(response, body.source()),
                AiCall.PEEK_LIMIT + 1);
    }

    @Override
    public InputStream successContent(Response response) {
        ResponseBody body = response.body();
        return body == null ? null : body.byteStream();
    }

    /**
     * The response with its body read from {@code content} instead, same content type and length. For
     * a body that broke while peeked, the app thus meets the bytes that came, then the very error
     * OkHttp threw (reading on from OkHttp's own source could fail differently, its connection being
     * released by then). The deprecated {@code create} is the form 3.x has too.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Response withBody(Response response, InputStream content) {
        ResponseBody body = response.body();
        ResponseBody replaced = ResponseBody.create(body.contentType(), body.contentLength(),
                Okio.buffer(Okio.source(content)));
        return response.newBuilder().body(replaced).build();
    }

    /** SDKs generated by Stainless (OpenAI, Anthropic) obey it, so their own retries never multiply aierr's. */
    @Override
    public Response settled(Response response) {
        return response.newBuilder().header(Refusal.SHOULD_RETRY_HEADER, "false").build();
    }

    @Override
    public void discard(Response response) {
        try {
            response.close();
        } catch (RuntimeException e) {
            warn.accept("cannot close a retried OkHttp response: " + e);
        }
    }
}
