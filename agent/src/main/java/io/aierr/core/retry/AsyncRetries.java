package io.aierr.core.retry;

import io.aierr.core.TraceScope;
import io.aierr.core.limits.Refusal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The retry chain of every async client call: admit, then per attempt send it through the client
 * and, when its answer comes (on whatever thread the client calls back), judge it and either hand
 * it to the app or drop it and send again after a wait on the timer. No thread is held meanwhile.
 * Cancelling the call stops it: the attempt in flight is cancelled and none follows.
 */
public final class AsyncRetries<R> {
    /** One client's side of the chain, for one app call. */
    public interface Exchange<R> extends Responses<R, Exception> {
        /**
         * Sends the attempt begun last without waiting for its answer, with this W3C traceparent in
         * place of the request's own, or as the app set it when null. The client reports the answer to
         * {@code attempt}, once; one that reads error bodies as they come in judges them with its verdict.
         */
        void send(String traceparent, AsyncRetries<R>.Attempt attempt) throws Exception;

        /** Cancels the attempt in flight, if any. */
        void cancelInFlight();

        /** Gives the app its answer. */
        void complete(R response);

        /** Gives the app this failure. */
        void fail(Throwable failure);

        /** Gives the app an answer without sending: the refusal's copied answer. */
        void answer(Refusal refusal);

        /**
         * The app cancelled the call while it waited between attempts: tells the app, when it still
         * waits for an answer, as the client tells of a cancelled call.
         */
        void cancelledWhileWaiting();

        /**
         * Runs {@code send} after {@code millis}: by default off this thread, even with no wait,
         * because an answer comes on a client thread (I/O, dispatcher) that must go back at once.
         */
        default void after(long millis, Runnable send) {
            Delayed.offThread(millis, send);
        }
    }

    private final AiCall call;
    private final Exchange<R> exchange;
    /** Set while no attempt is in flight and the next one waits for its time; the send or a cancel clears it. */
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile boolean cancelled;

    public AsyncRetries(AiCall call, Exchange<R> exchange) {
        this.call = call;
        this.exchange = exchange;
    }

    /** Call once, before the first attempt; then {@link #proceed} or, when the client sends it now, {@link #sentByClient}. */
    public Admission admit() {
        return call.admit();
    }

    /** Answers a refused call without sending, or sends its first attempt after its turn (at once when none). */
    public void proceed(Admission admission) {
        if (admission.refusal != null) {
            exchange.answer(admission.refusal);
        } else {
            sendAfter(admission.waitMillis);
        }
    }

    /**
     * The client sends the first attempt itself, now, as the app made it (its call already under way):
     * begins it, and returns where the client reports its answer.
     */
    public Attempt sentByClient() {
        call.beginAttempt();
        return new Attempt();
    }

    /** The app cancelled its call: the attempt in flight is cancelled, and no other is sent. */
    public void cancel() {
        cancelled = true;
        exchange.cancelInFlight();
        stopWaiting();
    }

    private void sendAfter(long millis) {
        waiting.set(true);
        if (cancelled) {
            stopWaiting(); // cancelled while the last answer was judged: no wait
            return;
        }
        exchange.after(millis, () -> {
            if (waiting.compareAndSet(true, false)) {
                send();
            }
        });
    }

    private void stopWaiting() {
        if (waiting.compareAndSet(true, false)) {
            call.aborted(new CancellationException("cancelled by the app"));
            exchange.cancelledWhileWaiting();
        }
    }

    private void send() {
        call.beginAttempt();
        Attempt attempt = new Attempt();
        // the app's tracing takes the current context along with the attempt the client starts here
        try (TraceScope inApp = call.attemptInAppContext()) {
            exchange.send(call.traceparent(), attempt);
        } catch (Exception | Error e) {
            attempt.failed(e);
            return;
        }
        if (cancelled) {
            exchange.cancelInFlight(); // cancelled while it was being sent
        }
    }

    /** Where the client reports one attempt's answer. */
    public final class Attempt {
        private final Verdict verdict = new Verdict(call);

        private Attempt() {
        }

        /** For a client that judges an error response as its body comes in. */
        public Verdict verdict() {
            return verdict;
        }

        /** The attempt got a response. */
        public void responded(R response) {
            R delivered;
            try {
                delivered = Judging.handedOver(call, exchange, response, verdict);
            } catch (Exception | Error e) {
                exchange.fail(e);
                return;
            }
            if (delivered != null) {
                exchange.complete(delivered);
                return;
            }
            exchange.discard(response);
            sendAfter(verdict.decision().delayMillis);
        }

        /** The attempt failed without a response: the app gets this failure. */
        public void failed(Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cancelled) {
                call.aborted(cause);
            } else {
                call.onFailure(cause);
            }
            exchange.fail(failure);
        }
    }
}
