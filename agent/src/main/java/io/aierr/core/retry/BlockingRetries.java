package io.aierr.core.retry;

import io.aierr.core.Headers;
import io.aierr.core.TraceScope;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.limits.Refusal;

import java.io.IOException;
import java.io.InputStream;

/**
 * The retry loop of one blocking client call: send an attempt through the client, peek at an
 * error body for the classifier, then drop the response, wait and send again, or give the app its
 * answer with the peeked bytes replayed in front of the rest.
 */
public final class BlockingRetries {
    private BlockingRetries() {
    }

    /** One client's side of the loop, for one app call. */
    public interface Exchange<R, X extends Exception> {
        /**
         * Sends one attempt through the client's own code, with this W3C traceparent in place of the
         * request's own, or as the app set it when null; the app's request is as before once it returns.
         */
        R send(String traceparent) throws X;

        int status(R response);

        Headers headers(R response);

        /** The response body, or null when there is none. */
        InputStream body(R response) throws IOException;

        /** The response the app gets, its body now read from {@code content}. */
        R withBody(R response, InputStream content);

        /**
         * The response the app gets when its body broke while aierr peeked ({@code failure}), which is
         * never retried: by default {@link #withBody}, so the app reads the bytes that came, then
         * meets the same failure. A client whose own retry of this response aierr held back fails
         * here as that retry would have.
         */
        default R withBrokenBody(R response, InputStream content, IOException failure) throws X {
            return withBody(response, content);
        }

        /** Releases a response that will be sent again (its connection back to the pool or closed). */
        void discard(R response);

        /** Waits before the next attempt; throws what the client throws when interrupted while waiting. */
        void pause(long millis) throws X;

        /** The response the app gets when aierr answers its call without sending. */
        R answer(Refusal refusal);
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
            R response;
            try (TraceScope inApp = call.attemptInAppContext()) {
                response = exchange.send(call.traceparent());
            } catch (Exception | Error e) {
                call.onFailure(e);
                throw e;
            }
            int status = exchange.status(response);
            if (status < 400) {
                call.onSuccess(status, exchange.headers(response));
                return response;
            }
            PeekedBody body = PeekedBody.read(() -> exchange.body(response), AiCall.PEEK_LIMIT);
            IOException broken = body.failure();
            RetryDecision decision = call.onErrorResponse(new ErrorResponse(call.info().method, call.info().url,
                    status, exchange.headers(response), body.prefix, body.truncated, broken != null,
                    System.currentTimeMillis()));
            if (!decision.retry) {
                InputStream content = body.replay();
                R delivered;
                try {
                    delivered = content == null ? response
                            : broken == null ? exchange.withBody(response, content)
                            : exchange.withBrokenBody(response, content, broken);
                } catch (Exception | Error e) {
                    call.onFailure(e);
                    throw e;
                }
                call.delivered();
                return delivered;
            }
            exchange.discard(response);
            wait = decision.delayMillis;
        }
    }
}
