package io.aierr.instrumentation.apache.hc5;

import java.io.IOException;

/**
 * Thrown out of the first emission when aierr does not send it now: the client drops that
 * execution before it leases a connection, and the call goes on as {@code AsyncCall} planned: a
 * later send, or the app answered without sending.
 */
final class NotSent extends IOException {
    private static final long serialVersionUID = 1L;

    NotSent() {
        super("held or answered by aierr");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a signal between aierr's own pieces, never seen by the app
    }
}
