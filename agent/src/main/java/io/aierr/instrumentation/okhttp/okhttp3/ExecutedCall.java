package io.aierr.instrumentation.okhttp.okhttp3;

import io.aierr.core.limits.Refusal;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.BlockingRetries;
import io.aierr.core.retry.Verdict;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.okhttp.SendingCalls;
import okhttp3.Call;
import okhttp3.Response;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Consumer;

/** An {@code execute()} call's side of the blocking retry loop, on the caller's thread. */
final class ExecutedCall extends LogicalCall implements BlockingRetries.Exchange<Response, Exception> {
    ExecutedCall(Call appCall, AiCall call, Consumer<String> warn, SendingCalls sending) {
        super(appCall, call, warn, sending);
    }

    @Override
    public Response send(String traceparent, Verdict verdict) throws IOException {
        Call current = callFor(traceparent);
        attemptSentBy(current);
        try {
            return CallDepth.asAgent(current::execute);
        } finally {
            attemptEnded(current);
        }
    }

    /**
     * Waits before the next attempt; a cancel of the app's call ends the wait.
     *
     * @throws IOException what OkHttp throws for a cancelled call or an interrupted thread
     */
    @Override
    public synchronized void pause(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            for (long left = millis; left > 0 && !cancelled(); left = (deadline - System.nanoTime()) / 1_000_000L) {
                wait(left);
            }
        } catch (InterruptedException e) {
            // OkHttp (okio) reports an interrupted thread this way and keeps the interrupt flag set
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (cancelled()) {
            throw new IOException("Canceled");
        }
    }

    /** Null when the answer cannot be made: the app's call then goes out as the app made it. */
    @Override
    public Response answer(Refusal refusal) {
        return refusalAnswer(refusal);
    }
}
