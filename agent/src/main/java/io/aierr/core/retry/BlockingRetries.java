package io.aierr.core.retry;

import io.aierr.core.TraceScope;
import io.aierr.core.limits.Refusal;

/**
 * The retry loop of every blocking client call, on the caller's thread: admit, then per attempt
 * send it through the client, judge an error response, and either drop it, wait and send again, or
 * give the app its answer with the peeked bytes replayed in front of the rest.
 */
public final class BlockingRetries {
    private BlockingRetries() {
    }

    /** One client's side of the loop, for one app call. */
    public interface Exchange<R, X extends Exception> extends Responses<R, X> {
        /**
         * Sends one attempt through the client's own code, with this W3C traceparent in place of the
         * request's own, or as the app set it when null; the app's request is as before once it returns.
         * A client that reads error bodies as they stream in judges them with {@code verdict} meanwhile.
         */
        R send(String traceparent, Verdict verdict) throws X;

        /** Waits before the next attempt; throws what the client throws when interrupted or cancelled meanwhile. */
        void pause(long millis) throws X;

        /** True once the app cancelled its call: a failing attempt then ends the call as stopped, not failed. */
        default boolean cancelled() {
            return false;
        }

        /** The response the app gets when aierr answers its call without sending. */
        R answer(Refusal refusal) throws X;
    }

    public static <R, X extends Exception> R run(AiCall call, Exchange<R, X> exchange) throws X {
        Admission admission = call.admit();
        if (admission.refusal != null) {
            return exchange.answer(admission.refusal);
        }
        long wait = admission.waitMillis;
        while (true) {
            if (wait > 0) {
                try {
                    exchange.pause(wait);
                } catch (Exception | Error e) {
                    call.aborted(e);
                    throw e;
                }
            }
            call.beginAttempt();
            Verdict verdict = new Verdict(call);
            R response;
            try (TraceScope inApp = call.attemptInAppContext()) {
                response = exchange.send(call.traceparent(), verdict);
            } catch (Exception | Error e) {
                if (exchange.cancelled()) {
                    call.aborted(e);
                } else {
                    call.onFailure(e);
                }
                throw e;
            }
            R delivered = Judging.handedOver(call, exchange, response, verdict);
            if (delivered != null) {
                return delivered;
            }
            exchange.discard(response);
            wait = verdict.decision().delayMillis;
        }
    }
}
