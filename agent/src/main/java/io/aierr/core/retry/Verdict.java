package io.aierr.core.retry;

import io.aierr.core.Headers;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.classify.StreamEvents;

/**
 * The decision on one attempt's error response, taken once its body is peeked: by the driver after
 * the send, or by the client itself while the body streams in (a body handler or consumer that must
 * know, before the app's own sees a byte, whether the response is dropped or handed over).
 */
public final class Verdict {
    private final AiCall call;
    private volatile RetryDecision decision;

    Verdict(AiCall call) {
        this.call = call;
    }

    /**
     * Classifies the error response and decides on it, once per attempt.
     *
     * @param prefix    the first bytes of the body, at most {@link AiCall#PEEK_LIMIT}
     * @param truncated the body may go on beyond the prefix
     * @param broken    the body failed after the prefix: it is all that came
     */
    public RetryDecision judge(int status, Headers headers, byte[] prefix, boolean truncated, boolean broken) {
        assert decision == null : "judged twice: " + decision;
        RetryDecision d = call.onErrorResponse(new ErrorResponse(call.info().method, call.info().url, status, headers,
                prefix, truncated, broken, System.currentTimeMillis()));
        decision = d;
        return d;
    }

    /**
     * Whether a success of this content type waits for its first event before the app gets it; see
     * {@link AiCall#holdsFirstEvent}.
     */
    public boolean holdsFirstEvent(String contentType) {
        return call.holdsFirstEvent(contentType);
    }

    /** How long a held stream waits for its first event. */
    public long firstEventWaitMillis() {
        return call.firstEventWaitMillis();
    }

    /**
     * Decides on a held stream once its first event came (or its hold ended without one): null when it
     * carries no error, so the stream goes to the app as a success; else the decision on the error, once
     * per attempt, a give-up also handing the stream over as it came.
     */
    public RetryDecision judgeFirstEvent(Headers headers, FirstEvent first) {
        if (!first.came()) {
            return null;
        }
        ClassifiedError error = StreamEvents.errorIn(call.info().provider, first.name(), first.data());
        if (error == null) {
            return null;
        }
        assert decision == null : "judged twice: " + decision;
        ErrorResponse answer = new ErrorResponse(call.info().method, call.info().url, statusFor(error),
                headers.with("content-type", "application/json"), first.data(), false, System.currentTimeMillis());
        RetryDecision d = call.onFirstEventError(answer, error);
        decision = d;
        return d;
    }

    /** The status an in-band error names, or the one its category is answered with outside a stream. */
    private static int statusFor(ClassifiedError error) {
        if (error.status >= 400) {
            return error.status;
        }
        switch (error.category) {
            case RATE_LIMITED:
                return 429;
            case QUEUE_FULL:
                return 450;
            case OVERLOADED:
                return "anthropic".equals(error.provider) ? 529 : 503;
            case UNAVAILABLE:
                return 503;
            default:
                return 500;
        }
    }

    /** For a success (never judged): its body as the app reads it; see {@link AiCall#successBody}. */
    public SuccessBody successBody(String contentType) {
        return call.successBody(contentType);
    }

    /**
     * The decision taken, or null while the response is not judged (a success is judged only when its
     * held first event carries an error).
     */
    public RetryDecision decision() {
        return decision;
    }

    /** True when the response was judged to be dropped and sent again. */
    public boolean retry() {
        RetryDecision d = decision;
        return d != null && d.retry;
    }
}
