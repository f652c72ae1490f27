package io.aierr.core.limits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * aierr answers a call without sending it: the app gets {@link #answer}, a copy of the response that
 * made aierr refuse, marked so that an SDK's own retry loop stops. Never an exception where a
 * response exists, so apps keep their usual error handling.
 */
public final class Refusal {
    /** Response header naming why aierr did not send: one of the {@link Reason} ids. */
    public static final String REFUSED_HEADER = "x-aierr-refused";
    /** Obeyed by the OpenAI and Anthropic SDKs (and other Stainless-generated ones). */
    public static final String SHOULD_RETRY_HEADER = "x-should-retry";

    public enum Reason {
        /** The endpoint's breaker is open after repeated outage answers. */
        CIRCUIT_OPEN("circuit-open"),
        /** The app resent a request aierr already settled; its attempts are spent. */
        SETTLED("settled"),
        /** The endpoint is held by the server's hint, or its queue of paced calls, beyond max-wait. */
        HELD("held");

        private final String id;

        Reason(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public final Reason reason;
    public final AnswerCopy answer;
    /** For logs and the call span: why, in words. */
    public final String detail;

    public Refusal(Reason reason, AnswerCopy answer, String detail) {
        this.reason = reason;
        this.answer = answer;
        this.detail = detail;
    }

    /** The headers of the copied response, in order; no other header of the original is copied. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        if (answer.contentType != null) {
            h.put("content-type", answer.contentType);
        }
        h.put(REFUSED_HEADER, reason.id());
        h.put(SHOULD_RETRY_HEADER, "false");
        return h;
    }

    @Override
    public String toString() {
        return "refused (" + reason.id() + "): " + detail;
    }
}
