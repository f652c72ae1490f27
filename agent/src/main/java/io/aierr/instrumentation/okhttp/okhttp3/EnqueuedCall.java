package io.aierr.instrumentation.okhttp.okhttp3;

import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.okhttp.SendingCalls;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * An {@code enqueue()} call's side of the async retry chain. Each attempt reports to a callback of
 * its own; a response to retry is closed on the dispatcher thread, which then goes back to OkHttp at
 * once, and the next attempt is enqueued like any call. The app's callback hears once, with its own
 * call object, and always on a dispatcher thread, as OkHttp calls back.
 */
final class EnqueuedCall extends LogicalCall implements AsyncRetries.Exchange<Response> {
    private final Callback appCallback;
    /** Runs once, before the app's callback hears the answer. */
    private final Runnable finished;

    EnqueuedCall(Call appCall, AiCall call, Consumer<String> warn, SendingCalls sending, Callback appCallback,
                 Runnable finished) {
        super(appCall, call, warn, sending);
        this.appCallback = appCallback;
        this.finished = finished;
    }

    /**
     * The callback for the first attempt, which OkHttp's own enqueue sends once the hook returned:
     * outside aierr's attempt context, so the app's tracing sees it under the app's span.
     */
    Callback sentByOkHttp(AsyncRetries<Response>.Attempt attempt) {
        appCallSentByOkHttp();
        attemptSentBy(appCall);
        return new AttemptCallback(attempt);
    }

    /** Enqueues the attempt past aierr's own hook; the first, after its turn, is the app's own call. */
    @Override
    public void send(String traceparent, AsyncRetries<Response>.Attempt attempt) throws IOException {
        Call next = callFor(traceparent);
        attemptSentBy(next);
        CallDepth.asAgent(() -> {
            next.enqueue(new AttemptCallback(attempt));
            return null;
        });
    }

    @Override
    public void cancelInFlight() {
        cancel();
    }

    @Override
    public void complete(Response response) {
        finished.run();
        try {
            appCallback.onResponse(appCall, response);
        } catch (IOException appFailure) {
            // OkHttp logs what the app's onResponse throws; a checked exception must reach it as it is
            throw Rethrow.unchecked(appFailure);
        }
    }

    @Override
    public void fail(Throwable failure) {
        finished.run();
        appCallback.onFailure(appCall, failure instanceof IOException ? (IOException) failure
                : new IOException("aierr could not retry", failure));
    }

    /** On a dispatcher thread, never inside enqueue, as OkHttp calls back; sent as the app made it when no answer can be made. */
    @Override
    public void answer(Refusal refusal) {
        finished.run();
        Response answer = refusalAnswer(refusal);
        if (answer != null) {
            onDispatcher(() -> appCallback.onResponse(appCall, answer));
            return;
        }
        try {
            CallDepth.asAgent(() -> {
                appCall.enqueue(appCallback);
                return null;
            });
        } catch (RuntimeException e) {
            warn.accept("OkHttp call neither answered nor sent: " + e);
        }
    }

    /** The app hears of its cancelled call as OkHttp tells it: an {@code IOException("Canceled")} on a dispatcher thread. */
    @Override
    public void cancelledWhileWaiting() {
        onDispatcher(() -> fail(new IOException("Canceled")));
    }

    private void onDispatcher(AppCallback tell) {
        CallClient.callbackExecutor(appCall).execute(() -> {
            try {
                tell.run();
            } catch (Throwable appFailure) {
                // the app's callback threw on a dispatcher thread, where OkHttp would not catch it either
            }
        });
    }

    private interface AppCallback {
        void run() throws IOException;
    }

    /** The callback one attempt reports to. */
    private final class AttemptCallback implements Callback {
        private final AsyncRetries<Response>.Attempt attempt;

        AttemptCallback(AsyncRetries<Response>.Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void onResponse(Call call, Response response) {
            attemptEnded(call);
            attempt.responded(response);
        }

        @Override
        public void onFailure(Call call, IOException failure) {
            attemptEnded(call);
            attempt.failed(failure);
        }

        @Override
        public String toString() {
            return "aierr retries for " + appCallback;
        }
    }
}
