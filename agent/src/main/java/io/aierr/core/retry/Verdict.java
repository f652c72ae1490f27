package io.aierr.core.retry;

import io.aierr.core.Headers;
import io.aierr.core.classify.ErrorResponse;

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

    /** For a success (never judged): its body as the app reads it; see {@link AiCall#successBody}. */
    public SuccessBody successBody(String contentType) {
        return call.successBody(contentType);
    }

    /** The decision taken, or null while the response is not judged (a success is never judged). */
    public RetryDecision decision() {
        return decision;
    }

    /** True when the response was judged to be dropped and sent again. */
    public boolean retry() {
        RetryDecision d = decision;
        return d != null && d.retry;
    }
}
