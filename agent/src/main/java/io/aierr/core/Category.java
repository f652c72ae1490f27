package io.aierr.core;

import java.util.Locale;

/** What went wrong, independent of provider and status code. The ids are a public contract. */
public enum Category {
    INVALID_REQUEST,
    CONTEXT_LENGTH_EXCEEDED,
    CONTENT_FILTERED,
    AUTHENTICATION,
    PERMISSION_DENIED,
    NOT_FOUND,
    UNSUPPORTED,
    TIMEOUT,
    CONFLICT,
    PAYLOAD_TOO_LARGE,
    RATE_LIMITED,
    QUOTA_EXCEEDED,
    QUEUE_FULL,
    CLIENT_CLOSED,
    SERVER_ERROR,
    BAD_GATEWAY,
    UNAVAILABLE,
    OVERLOADED,
    CONNECTION_ERROR,
    UNKNOWN;

    private final String id = name().toLowerCase(Locale.ROOT);

    /** The stable lower-case id used in config, telemetry and the CLI. */
    public String id() {
        return id;
    }

    /** Waiting and sending again can fix these. */
    public boolean retryable() {
        return this == RATE_LIMITED || this == QUEUE_FULL || this == UNAVAILABLE || this == OVERLOADED;
    }

    /** Waiting cannot fix these, whatever the status list says (a spent quota stays spent). */
    public boolean neverRetried() {
        return this == QUOTA_EXCEEDED;
    }
}
