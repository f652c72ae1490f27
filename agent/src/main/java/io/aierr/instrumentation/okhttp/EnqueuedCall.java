package io.aierr.instrumentation.okhttp;

import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.instrumentation.CallDepth;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.function.Consumer;

/**
 * An {@code enqueue()} call's side of the async retry chain. Each attempt reports to a callback of
 * its own; a response to retry is closed on the dispatcher thread, which then goes back to OkHttp at
 * once, and the next attempt is enqueued like any call. The app's callback hears once, with its own
 * call object, and always on a dispatcher thread, as OkHttp calls back.
 */
final class EnqueuedCall extends LogicalCall implements AsyncRetries.Exchange<Object> {
    private final Object appCallback;
    private final SendingCalls sending;
    /** Runs once, before the app's callback hears the answer. */
    private final Runnable finished;

    EnqueuedCall(OkHttpApi api, Object appCall, Object request, AiCall call, Consumer<String> warn,
                 Object appCallback, SendingCalls sending, Runnable finished) {
        super(api, appCall, request, call, warn);
        this.appCallback = appCallback;
        this.sending = sending;
        this.finished = finished;
    }

    /**
     * The callback for the first attempt, which OkHttp's own enqueue sends once the hook returned:
     * outside aierr's attempt context, so the app's tracing sees it under the app's span.
     */
    Object sentByOkHttp(AsyncRetries<Object>.Attempt attempt) {
        appCallSentByOkHttp();
        sending.started(appCall, this);
        return api.callback(new AttemptCallback(attempt));
    }

    /** Enqueues the attempt past aierr's own hook; the first, after its turn, is the app's own call. */
    @Override
    public void send(String traceparent, AsyncRetries<Object>.Attempt attempt) throws Exception {
        Object next = callFor(traceparent);
        sending.started(next, this);
        try {
            CallDepth.asAgent(() -> {
                api.enqueue(next, api.callback(new AttemptCallback(attempt)));
                return null;
            });
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("aierr could not retry", e);
        }
    }

    @Override
    public void cancelInFlight() {
        cancel();
    }

    @Override
    public void complete(Object response) {
        finished.run();
        try {
            api.onResponse(appCallback, appCall, response);
        } catch (Throwable appFailure) {
            throw Rethrow.unchecked(appFailure);
        }
    }

    @Override
    public void fail(Throwable failure) {
        finished.run();
        IOException reported = failure instanceof IOException ? (IOException) failure
                : new IOException("aierr could not retry", failure);
        try {
            api.onFailure(appCallback, appCall, reported);
        } catch (Throwable appFailure) {
            throw Rethrow.unchecked(appFailure);
        }
    }

    /** On a dispatcher thread, never inside enqueue, as OkHttp calls back; sent as the app made it when no answer can be made. */
    @Override
    public void answer(Refusal refusal) {
        finished.run();
        Object answer = refusalAnswer(refusal);
        if (answer == null) {
            try {
                CallDepth.asAgent(() -> {
                    api.enqueue(appCall, appCallback);
                    return null;
                });
            } catch (Throwable e) {
                warn.accept("OkHttp call neither answered nor sent: " + e);
            }
            return;
        }
        onDispatcher(() -> api.onResponse(appCallback, appCall, answer));
    }

    /** The app hears of its cancelled call as OkHttp tells it: an {@code IOException("Canceled")} on a dispatcher thread. */
    @Override
    public void cancelledWhileWaiting() {
        onDispatcher(() -> fail(new IOException("Canceled")));
    }

    private void onDispatcher(AppCallback tell) {
        api.callbackExecutor(appCall).execute(() -> {
            try {
                tell.run();
            } catch (Throwable appFailure) {
                // the app's callback threw on a dispatcher thread, where OkHttp would not catch it either
            }
        });
    }

    private interface AppCallback {
        void run() throws Throwable;
    }

    /** The {@code okhttp3.Callback} (as a {@link java.lang.reflect.Proxy}) one attempt reports to. */
    private final class AttemptCallback implements InvocationHandler {
        private final AsyncRetries<Object>.Attempt attempt;

        AttemptCallback(AsyncRetries<Object>.Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "onResponse":
                    sending.ended(args[0]);
                    attempt.responded(args[1]);
                    return null;
                case "onFailure":
                    sending.ended(args[0]);
                    attempt.failed((IOException) args[1]);
                    return null;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "aierr retries for " + appCallback;
            }
        }
    }
}
