package io.aierr.instrumentation.okhttp;

import io.aierr.core.retry.Delayed;
import io.aierr.core.TraceScope;
import io.aierr.instrumentation.CallDepth;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code okhttp3.Callback} an enqueued AI call reports to (as a {@link java.lang.reflect.Proxy}).
 * A response to retry is closed on the dispatcher thread, which then goes back to OkHttp at once; the
 * wait runs on a timer, and the next attempt is enqueued like any call. The app's callback hears once,
 * with its own call object, the final response or failure.
 */
final class RetryingCallback implements InvocationHandler {
    private final LogicalCall logical;
    private final Object appCallback;
    private final Runnable finished;
    private final SendingCalls sending;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final Object self;

    /** @param finished runs once, before the app's callback hears the answer */
    RetryingCallback(LogicalCall logical, Object appCallback, SendingCalls sending, Runnable finished) {
        this.logical = logical;
        this.appCallback = appCallback;
        this.sending = sending;
        this.finished = finished;
        this.self = logical.api.callback(this);
    }

    /** The {@code okhttp3.Callback} to enqueue every attempt with. */
    Object callback() {
        return self;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "onResponse":
                sending.ended(args[0]);
                onResponse(args[1]);
                return null;
            case "onFailure":
                sending.ended(args[0]);
                onFailure((IOException) args[1]);
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "aierr retries for " + appCallback;
        }
    }

    /** The app cancelled its call: a pending wait ends now, with the failure OkHttp gives a cancelled call. */
    void cancel() {
        logical.cancel();
        resend();
    }

    private void onResponse(Object response) throws Throwable {
        Object delivered = logical.judge(response);
        if (delivered != null) {
            finished.run();
            logical.api.onResponse(appCallback, logical.appCall, delivered);
            return;
        }
        waiting.set(true);
        if (logical.cancelled()) {
            // cancelled while this response was judged: no wait
            resend();
            return;
        }
        Delayed.onTimer(logical.retryDelayMillis(), this::resend);
    }

    private void onFailure(IOException failure) throws Throwable {
        logical.failed(failure);
        finished.run();
        logical.api.onFailure(appCallback, logical.appCall, failure);
    }

    /**
     * Enqueues the next attempt once per wait, whichever comes first: the timer or a cancellation.
     * A cancelled copy fails at once on a dispatcher thread, so the app hears of it where OkHttp
     * always calls back.
     */
    private void resend() {
        if (!waiting.compareAndSet(true, false)) {
            return;
        }
        Object next;
        try {
            next = logical.nextCall();
        } catch (Throwable e) {
            failed(LogicalCall.noNextAttempt(e));
            return;
        }
        sending.started(next, logical);
        // the app's tracing takes the current context along with the enqueued call
        try (TraceScope inApp = logical.call.attemptInAppContext()) {
            enqueue(next);
        }
    }

    /**
     * Sends the app's own call, the first attempt, once its gate turn has come; meanwhile it holds
     * neither a thread nor a dispatcher slot. A cancel meanwhile fails it once enqueued, as OkHttp does.
     */
    void sendFirstAfter(long waitMillis) {
        Delayed.onTimer(waitMillis, () -> {
            logical.call.beginAttempt();
            enqueue(logical.appCall);
        });
    }

    /** Enqueues an attempt past aierr's own hook, reporting to this callback. */
    private void enqueue(Object call) {
        try {
            CallDepth.asAgent(() -> {
                logical.api.enqueue(call, self);
                return null;
            });
        } catch (Throwable e) {
            failed(LogicalCall.noNextAttempt(e));
        }
    }

    /** The next attempt could not be enqueued: the app's callback hears this failure. */
    private void failed(IOException failure) {
        try {
            onFailure(failure);
        } catch (Throwable appFailure) {
            // the app's callback threw on a timer thread: nobody else would catch it there either
        }
    }
}
