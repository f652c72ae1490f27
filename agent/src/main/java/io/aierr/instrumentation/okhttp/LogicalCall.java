package io.aierr.instrumentation.okhttp;

import io.aierr.core.Headers;
import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.PeekedBody;
import io.aierr.core.retry.Responses;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * One OkHttp call as the app made it, across its attempts: what both retry drivers need of it.
 * The first attempt is the app's own call object, already under way when aierr sees it: its request
 * cannot change, so it goes out without aierr's traceparent. Each later one is a fresh call of the
 * same client for the same request, carrying the traceparent of its attempt, given what is left of
 * the call timeout. A cancel of the app's call reaches the copy in flight.
 */
abstract class LogicalCall implements Responses<Object, Exception> {
    final OkHttpApi api;
    final Object appCall;
    final AiCall call;
    final Consumer<String> warn;
    private final Object request;
    private volatile boolean cancelled;
    private volatile boolean appCallSent;
    /** The call of the attempt being sent; the app's own call for the first. */
    private volatile Object inFlight;
    /** Requests the attempt in flight sent below the app's interceptors: more than one when they resend. */
    private volatile int sendsOfAttempt;

    LogicalCall(OkHttpApi api, Object appCall, Object request, AiCall call, Consumer<String> warn) {
        this.api = api;
        this.appCall = appCall;
        this.request = request;
        this.call = call;
        this.warn = warn;
        this.inFlight = appCall;
    }

    /**
     * The call that sends the attempt begun last: the app's own for the first, then copies carrying
     * {@code traceparent}; a copy is already cancelled when the app cancelled meanwhile.
     *
     * @throws IOException when no copy can be made
     */
    Object callFor(String traceparent) throws IOException {
        sendsOfAttempt = 0;
        if (!appCallSent) {
            appCallSent = true;
            return appCall;
        }
        try {
            Object next = api.newCallLike(appCall, cancelled ? null : traceparent);
            long remaining = call.remainingMillis();
            if (remaining != Long.MAX_VALUE) {
                // never 0, which OkHttp reads as "no timeout"; a spent timeout fails the attempt as OkHttp would
                api.setTimeoutMillis(next, Math.max(1, remaining));
            }
            inFlight = next;
            if (cancelled) {
                api.cancel(next);
            }
            return next;
        } catch (Throwable e) {
            throw new IOException("aierr could not retry", e);
        }
    }

    /** The first attempt goes out through OkHttp's own enqueue, as the app's call. */
    void appCallSentByOkHttp() {
        appCallSent = true;
    }

    /**
     * One request of the attempt in flight goes out. An app's interceptor that sends again within the
     * attempt (its own retry loop) costs the server a request each time: they count as attempts.
     */
    void sentBelowInterceptors() {
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
        Object current = inFlight;
        if (current != appCall) {
            try {
                api.cancel(current);
            } catch (Throwable e) {
                warn.accept("cannot cancel an OkHttp retry: " + e);
            }
        }
    }

    /** The response the app gets for a call aierr answers without sending; null when it cannot be made. */
    Object refusalAnswer(Refusal refusal) {
        try {
            return api.answer(request, refusal.answer.status, refusal.headers(), refusal.answer.contentType,
                    refusal.answer.body);
        } catch (Throwable e) {
            warn.accept("OkHttp call sent although aierr refused it (" + refusal + "): " + e);
            return null;
        }
    }

    @Override
    public int status(Object response) {
        try {
            return api.code(response);
        } catch (Throwable e) {
            throw unjudged(e);
        }
    }

    @Override
    public Headers headers(Object response) {
        try {
            return Headers.of(api.headers(response));
        } catch (Throwable e) {
            throw unjudged(e);
        }
    }

    /** Looks one byte past the limit ahead in the body's own buffer: the body stays whole for the app. */
    @Override
    public PeekedBody peek(Object response) {
        try {
            return api.peek(response, AiCall.PEEK_LIMIT);
        } catch (Throwable e) {
            throw unjudged(e);
        }
    }

    @Override
    public InputStream successContent(Object response) {
        try {
            return api.byteStream(response);
        } catch (Throwable e) {
            return null; // the success goes to the app unread
        }
    }

    /** A success whose body aierr reads on the way to the app: the same type, length and bytes. */
    @Override
    public Object withBody(Object response, InputStream content) {
        try {
            return api.withBody(response, content);
        } catch (Throwable e) {
            throw new IllegalStateException("OkHttp success passed to the app unread: " + e, e);
        }
    }

    /**
     * The response whose body broke while peeked, as the app would have met it: the bytes that came,
     * then the very error OkHttp threw (reading on from OkHttp's own source could fail differently,
     * its connection being released by then).
     */
    @Override
    public Object withBrokenBody(Object response, InputStream content, IOException failure) {
        try {
            return api.withBody(response, content);
        } catch (Throwable e) {
            warn.accept("OkHttp response with a broken body passed on as it is: " + e);
            return response;
        }
    }

    /** SDKs generated by Stainless (OpenAI, Anthropic) obey it, so their own retries never multiply aierr's. */
    @Override
    public Object settled(Object response) {
        try {
            return api.withHeader(response, Refusal.SHOULD_RETRY_HEADER, "false");
        } catch (Throwable e) {
            warn.accept("cannot mark an OkHttp response " + Refusal.SHOULD_RETRY_HEADER + ": " + e);
            return response;
        }
    }

    @Override
    public void discard(Object response) {
        try {
            api.close(response);
        } catch (Throwable e) {
            warn.accept("cannot close a retried OkHttp response: " + e);
        }
    }

    private RuntimeException unjudged(Throwable e) {
        warn.accept("OkHttp response passed to the app unjudged: " + e);
        return e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
}
