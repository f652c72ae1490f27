package io.aierr.core.retry;

import io.aierr.core.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** What both drivers do with one attempt's response: judge it, then hand it over or leave it to be sent again. */
final class Judging {
    private Judging() {
    }

    /**
     * The response the app gets, the call then ended; or null when the verdict is to send again
     * after its wait (the response is not yet discarded). A hand-over that fails ends the call as
     * failed and throws.
     */
    static <R, X extends Exception> R handedOver(AiCall call, Responses<R, X> client, R response, Verdict verdict)
            throws X {
        PeekedBody body = null;
        try {
            int status = client.status(response);
            if (status < 400) {
                Headers headers = client.headers(response);
                // a client that holds a stream as it comes in judged its first event already
                R delivered = verdict.decision() == null ? reading(call, client, response, headers, verdict) : response;
                if (verdict.retry()) {
                    return null;
                }
                call.onSuccess(status, headers);
                return delivered;
            }
            if (verdict.decision() == null) {
                body = client.peek(response);
                byte[] prefix = body.prefix.length > AiCall.PEEK_LIMIT
                        ? Arrays.copyOf(body.prefix, AiCall.PEEK_LIMIT) : body.prefix;
                verdict.judge(status, client.headers(response), prefix, body.truncated, body.failure() != null);
            }
        } catch (RuntimeException | LinkageError e) {
            call.passedUnjudged(e);
            return response;
        }
        RetryDecision decision = verdict.decision();
        if (decision.retry) {
            return null;
        }
        R delivered;
        try {
            delivered = body == null ? response : withPeekedBody(client, response, body);
        } catch (Exception | Error e) {
            call.onFailure(e);
            throw e;
        }
        call.delivered();
        return decision.settled ? client.settled(delivered) : delivered;
    }

    /**
     * The success with its body read on the way to the app, when the client hands its stream over; a
     * held stream's first event read first and judged (null when it is to be sent again).
     */
    private static <R, X extends Exception> R reading(AiCall call, Responses<R, X> client, R response, Headers headers,
                                                      Verdict verdict) {
        InputStream content;
        try {
            content = client.successContent(response);
        } catch (IOException e) {
            return response; // the app meets the same failure when it reads
        }
        if (content == null) {
            return response;
        }
        String contentType = headers.first("content-type");
        if (verdict.holdsFirstEvent(contentType)) {
            FirstEvent first = new FirstEvent();
            HeldStream held = HeldStream.hold(content, first, verdict.firstEventWaitMillis());
            RetryDecision decision = held.firstEventCame() ? verdict.judgeFirstEvent(headers, first) : null;
            if (decision != null && decision.retry) {
                return null; // the driver discards the response, which closes the stream
            }
            content = held.handOver();
        }
        SuccessBody body = call.successBody(contentType);
        try {
            return client.withBody(response, body.reading(content));
        } catch (RuntimeException | LinkageError e) {
            body.ended(); // the app reads the response as it came, unread by aierr
            return response;
        }
    }

    private static <R, X extends Exception> R withPeekedBody(Responses<R, X> client, R response, PeekedBody body)
            throws X {
        InputStream content = body.replay();
        IOException broken = body.failure();
        return content == null ? response
                : broken == null ? client.withBody(response, content)
                : client.withBrokenBody(response, content, broken);
    }
}
