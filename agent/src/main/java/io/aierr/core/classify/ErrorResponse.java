package io.aierr.core.classify;

import io.aierr.core.Headers;

/**
 * What the classifier sees of one HTTP error response: status, headers and a bounded prefix of
 * the body. Built by each client adapter and by the CLI.
 */
public final class ErrorResponse {
    public final String method;
    public final String url;
    public final int status;
    public final Headers headers;
    /** The body, or only its first bytes when {@link #bodyTruncated}. Never null. */
    public final byte[] body;
    public final boolean bodyTruncated;
    /**
     * The body broke (a read error, or the connection ended early) after {@link #body}: what came is
     * all there is, and the app meets the same error when it reads on. Such a response is never
     * retried; see {@link AiCall#onErrorResponse}.
     */
    public final boolean bodyBroken;
    /** Local clock when the response arrived; resolves HTTP-date hints when there is no Date header. */
    public final long receivedAtMillis;

    public ErrorResponse(String method, String url, int status, Headers headers, byte[] body,
                         boolean bodyTruncated, long receivedAtMillis) {
        this(method, url, status, headers, body, bodyTruncated, false, receivedAtMillis);
    }

    public ErrorResponse(String method, String url, int status, Headers headers, byte[] body,
                         boolean bodyTruncated, boolean bodyBroken, long receivedAtMillis) {
        this.method = method;
        this.url = url;
        this.status = status;
        this.headers = headers == null ? Headers.EMPTY : headers;
        this.body = body == null ? new byte[0] : body;
        this.bodyTruncated = bodyTruncated || bodyBroken;
        this.bodyBroken = bodyBroken;
        this.receivedAtMillis = receivedAtMillis;
    }
}
