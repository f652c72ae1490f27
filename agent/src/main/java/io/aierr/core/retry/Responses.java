package io.aierr.core.retry;

import io.aierr.core.Headers;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a client's response reads and goes on, for both retry drivers: its status and headers, a
 * peek at an error body, and either the hand-over to the app or the discard before a resend.
 *
 * @param <R> the client's response (or whatever the client's side calls one attempt's answer)
 * @param <X> what handing it over may throw
 */
public interface Responses<R, X extends Exception> {
    int status(R response);

    Headers headers(R response);

    /**
     * The first bytes of an error response the client did not judge while it came in (see
     * {@link Verdict}), the rest kept for the app. Clients that always judge never get asked.
     */
    default PeekedBody peek(R response) {
        throw new IllegalStateException("this client judges error responses as they come in");
    }

    /**
     * A success's body as a stream, so that aierr reads its usage as the app reads it (the response
     * then goes on through {@link #withBody}); null when this client reads successes otherwise, or
     * the response has no body.
     */
    default InputStream successContent(R response) throws IOException {
        return null;
    }

    /** The response the app gets after {@link #peek}, its body now read from {@code content}. */
    default R withBody(R response, InputStream content) {
        return response;
    }

    /**
     * The response the app gets when its body broke while aierr peeked ({@code failure}), which is
     * never retried: by default {@link #withBody}, so the app reads the bytes that came, then
     * meets the same failure. A client whose own retry of this response aierr held back fails
     * here as that retry would have.
     */
    default R withBrokenBody(R response, InputStream content, IOException failure) throws X {
        return withBody(response, content);
    }

    /** The response the app gets when aierr settled it (nobody should send it again); by default as it is. */
    default R settled(R response) {
        return response;
    }

    /** Releases a response that will be sent again (its connection back to the pool or closed). */
    void discard(R response);
}
