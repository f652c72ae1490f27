package io.aierr.core.classify;

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

    /**
     * The endpoint is short of capacity, not this request wrong: its wait hint concerns every call
     * to the endpoint, so the rate gate hears of it.
     */
    public boolean holdsOthers() {
        return this == RATE_LIMITED || this == QUEUE_FULL || this == OVERLOADED;
    }

    /** Every instance of the endpoint is failing: counted by its circuit breaker. */
    public boolean isOutage() {
        return this == QUEUE_FULL || this == UNAVAILABLE || this == OVERLOADED;
    }

    /**
     * Retrying it adds load that the endpoint may not take, so it draws on the retry budget.
     * Rate-limit retries do not: the gate paces them to what the server accepts.
     */
    public boolean spendsRetryBudget() {
        return this != RATE_LIMITED;
    }
}
