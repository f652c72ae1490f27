package io.aierr.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One logical AI call as the app made it, across all its attempts: classify each error response,
 * decide whether to send again, account for the waits, and report everything to the observer.
 * Client adapters drive it; it knows nothing of any HTTP client. Not thread-safe: the attempts
 * of one call happen one after the other.
 */
public final class AiCall {
    /** Bytes of an error body read before deciding; error bodies are small, streams are not. */
    public static final int PEEK_LIMIT = 64 * 1024;

    private final CallInfo info;
    private final RetryPolicy policy;
    private final EndpointLimits limits;
    private final CallObserver observer;
    /** True from the start, or once {@link #bodyCaptured()} on the thread that sent the body. */
    private volatile boolean replayable;
    private final long deadlineNanos;
    private int attempts;
    private long attemptSentAt;
    /** Positive when this call is the breaker's half-open probe. */
    private long probeTicket;
    private long waitedMillis;
    private int lastStatus;
    private ClassifiedError lastError;
    private String giveUpReason;
    /** Cancellation of an async call may race with its last attempt; the call ends once. */
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * @param timeoutMillis the request's own timeout, which also bounds all retries of the call;
     *                      0 or negative when it has none
     */
    AiCall(CallInfo info, RetryPolicy policy, EndpointLimits limits, Telemetry telemetry, boolean replayable,
           long timeoutMillis) {
        this.info = info;
        this.policy = policy;
        this.limits = limits;
        this.observer = safe(telemetry, info);
        this.replayable = replayable;
        this.deadlineNanos = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
    }

    public CallInfo info() {
        return info;
    }

    public int attempts() {
        return attempts;
    }

    /**
     * Whether aierr decides on retrying responses with this status. A client's own retry loop
     * must then leave them alone, or both would retry and multiply the attempts.
     */
    public boolean decidesRetryOf(int status) {
        return policy.enabled && policy.statuses.contains(status);
    }

    /**
     * Call once, before the first attempt, and wait as long as it says: other calls may have
     * learned that the endpoint is rate limited, and this call's turn comes later.
     *
     * @return milliseconds to wait before the first attempt, usually 0
     * @throws CircuitOpenException when the endpoint's breaker is open: the app gets this failure
     */
    public long admit() throws CircuitOpenException {
        long now = System.nanoTime();
        if (!enter(now)) {
            CircuitOpenException open = limits.breaker.openError(now, limits.name);
            lastError = open.lastError();
            giveUpReason = "circuit open";
            end(open);
            throw open;
        }
        long wait = limits.gate == null ? 0 : toMillis(limits.gate.reserve(now));
        if (wait <= 0 || wait > remainingWaitMillis()) {
            return 0; // a queue longer than this call may wait: send, and let the server answer
        }
        waitedMillis += wait;
        observer.backoff(1, wait, "rate-limit-gate");
        return wait;
    }

    /**
     * {@link #admit()} for a client whose first attempt is already under way when aierr sees it
     * (OkHttp {@code enqueue}, HttpClient 5 async): it can neither wait its turn nor fail fast, so
     * an open breaker only stops its retries.
     */
    public void admitNow() {
        enter(System.nanoTime());
    }

    /** Registers the call with its endpoint's breaker and budget; false when the breaker refuses it. */
    private boolean enter(long now) {
        long ticket = limits.breaker.admit(now, true);
        if (ticket == CircuitBreaker.REJECTED) {
            return false;
        }
        probeTicket = ticket;
        limits.budget.callStarted(now);
        return true;
    }

    /**
     * The request body, which the client cannot re-create, was captured whole as it was sent (see
     * {@link ReplayMemory}): the attempts from now on send the captured bytes, so the call may be retried.
     */
    public void bodyCaptured() {
        replayable = true;
    }

    /** Time left of the request's own timeout, or {@code Long.MAX_VALUE} when it has none. */
    public long remainingMillis() {
        if (deadlineNanos == 0) {
            return Long.MAX_VALUE;
        }
        return (deadlineNanos - System.nanoTime()) / 1_000_000L;
    }

    /** Call before sending each attempt. */
    public void beginAttempt() {
        attempts++;
        attemptSentAt = System.nanoTime();
        observer.attemptStarted(attempts);
    }

    /**
     * The W3C {@code traceparent} header for the attempt begun last: aierr's attempt span as the
     * parent, in the trace of the app's current span (or of the traceparent the app's request
     * carries). Null when aierr makes no spans, or when the app's request carries a traceparent
     * aierr cannot read (then the app's header is left as it is). Adapters set it, replacing the
     * app's own, on a copy of the request for this attempt; the app's request object stays unchanged.
     */
    public String traceparent() {
        return observer.traceparent();
    }

    /**
     * Makes the attempt begun last the current span of the app's own OpenTelemetry (its SDK, or the
     * OpenTelemetry Java agent) on this thread, so that a span the app's instrumentation makes for
     * the request nests under aierr's attempt. Open it around the client's own send of the attempt
     * and close it on the same thread as soon as that send returns (try-with-resources); for an
     * async send that is when the request is under way. A no-op without OpenTelemetry in the app.
     */
    public TraceScope attemptInAppContext() {
        TraceScope scope = observer.attemptInAppContext();
        return scope == null ? TraceScope.NONE : scope;
    }

    /**
     * The attempt got an error response (status 400 or more): classify it and decide. On a retry
     * the wait is already accounted for; on a give-up the caller delivers the response and then
     * calls {@link #delivered()}.
     */
    public RetryDecision onErrorResponse(ErrorResponse response) {
        ClassifiedError error = ErrorClassifier.classify(info.provider, response);
        lastStatus = response.status;
        lastError = error;
        observer.attemptResponded(attempts, response.status, error);
        long now = System.nanoTime();
        shareWithEndpoint(now, response, error);
        RetryDecision decision = limit(now, error,
                policy.decide(error, attempts, waitedMillis, remainingMillis(), replayable));
        if (decision.retry) {
            waitedMillis += decision.delayMillis;
            observer.backoff(attempts + 1, decision.delayMillis, decision.reason);
        } else {
            giveUpReason = decision.reason;
        }
        return decision;
    }

    /** The attempt succeeded (status below 400) and the app gets this response. */
    public void onSuccess(int status, Headers headers) {
        long now = System.nanoTime();
        if (limits.gate != null) {
            limits.gate.passed(now, RateCounters.from(headers, System.currentTimeMillis()));
        }
        limits.breaker.record(now, false, null);
        lastStatus = status;
        lastError = null;
        observer.attemptResponded(attempts, status, null);
        end(null);
    }

    /** The last error response reached the app. */
    public void delivered() {
        end(null);
    }

    /** The attempt failed without a response; the app gets this failure. */
    public void onFailure(Throwable failure) {
        lastStatus = 0;
        lastError = ErrorClassifier.classifyFailure(info.provider, failure);
        observer.attemptFailed(attempts, failure, lastError);
        end(failure);
    }

    /** The call stopped while waiting between attempts (interrupted, cancelled, client closed). */
    public void aborted(Throwable why) {
        giveUpReason = "stopped while waiting: " + why;
        end(why);
    }

    /** Tells the endpoint's gate and breaker what this answer says about the endpoint. */
    private void shareWithEndpoint(long now, ErrorResponse response, ClassifiedError error) {
        Category c = error.category;
        if (limits.gate != null && (c == Category.RATE_LIMITED || c == Category.QUEUE_FULL || c == Category.OVERLOADED)) {
            limits.gate.throttled(now, attemptSentAt, error.retryHint == null ? -1 : error.retryHint.delayMillis,
                    RateCounters.from(response.headers, response.receivedAtMillis));
        }
        limits.breaker.record(now, c == Category.QUEUE_FULL || c == Category.UNAVAILABLE || c == Category.OVERLOADED,
                error);
    }

    /** The policy's retry, unless the endpoint's breaker, budget or rate gate says otherwise. */
    private RetryDecision limit(long now, ClassifiedError error, RetryDecision decision) {
        if (!decision.retry) {
            return decision;
        }
        if (limits.breaker.admit(now, false) == CircuitBreaker.REJECTED) {
            return RetryDecision.giveUp("circuit open for " + limits.name);
        }
        boolean paced = error.category == Category.RATE_LIMITED;
        if (!paced && !limits.budget.tryRetry(now)) {
            return RetryDecision.giveUp("retry budget spent for " + limits.name);
        }
        if (limits.gate == null || !limits.gate.pacing()) {
            return decision;
        }
        // paced, a throttled call without a server hint needs no backoff of its own: its turn is the wait
        long earliest = paced && error.retryHint == null ? 0 : decision.delayMillis;
        long wait = toMillis(limits.gate.reserve(now + earliest * 1_000_000L)) + earliest;
        if (wait > remainingWaitMillis()) {
            return RetryDecision.giveUp("rate-limit queue of " + limits.name + " is longer than the "
                    + remainingWaitMillis() + "ms left of max-wait");
        }
        return wait == decision.delayMillis ? decision : RetryDecision.retryAfter(wait, "rate-limit-gate");
    }

    private long remainingWaitMillis() {
        return Math.max(0, Math.min(policy.maxWaitMillis - waitedMillis, remainingMillis()));
    }

    private static long toMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000L;
    }

    private void end(Throwable failure) {
        if (ended.compareAndSet(false, true)) {
            if (probeTicket > 0) {
                limits.breaker.probeEnded(probeTicket);
            }
            observer.callEnded(attempts, lastStatus, lastError, failure, giveUpReason);
        }
    }

    private static CallObserver safe(Telemetry telemetry, CallInfo info) {
        try {
            CallObserver observer = telemetry.callStarted(info);
            return observer == null ? CallObserver.NOOP : observer;
        } catch (RuntimeException | LinkageError e) {
            return CallObserver.NOOP;
        }
    }
}
