package io.aierr.core.retry;

import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.Headers;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;
import io.aierr.core.classify.BackoffSource;
import io.aierr.core.classify.Category;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.classify.ErrorClassifier;
import io.aierr.core.classify.ErrorResponse;
import io.aierr.core.classify.RetryHint;
import io.aierr.core.limits.AnswerCopy;
import io.aierr.core.limits.CircuitBreaker;
import io.aierr.core.limits.EndpointLimits;
import io.aierr.core.limits.RateCounters;
import io.aierr.core.limits.RateGate;
import io.aierr.core.limits.Refusal;
import io.aierr.core.limits.TokenGate;
import io.aierr.core.stream.EventStream;
import io.aierr.core.usage.ResponseUsage;
import io.aierr.core.usage.UsageReader;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

/**
 * One logical AI call as the app made it, across all its attempts: admit it, classify each error
 * response, decide whether to send again, account for the waits, and report everything to the
 * observer. Client adapters drive it; it knows nothing of any HTTP client.
 *
 * <p>Its life is a fixed sequence, checked by assertions (on in tests): {@link #admit()} once;
 * then per attempt {@link #beginAttempt()} and one answer ({@link #onSuccess}, {@link #onErrorResponse}
 * or {@link #onFailure}); after an error response that is not retried, {@link #delivered()}. The
 * drivers ({@link BlockingRetries}, {@link AsyncRetries}) keep to it; a misstep fails an assertion. A refusal,
 * a failure, a success, a delivery or {@link #aborted} ends the call; whatever comes after the end
 * (an async cancellation racing the last answer) is ignored. Not thread-safe otherwise: the attempts
 * of one call happen one after the other.
 */
public final class AiCall {
    /** Bytes of an error body read before deciding; error bodies are small, streams are not. */
    public static final int PEEK_LIMIT = 64 * 1024;

    /** Where the call is in its life; the drivers' tests read it. */
    enum State { NEW, ADMITTED, SENDING, ANSWERED, WAITING, ENDED }

    private final CallInfo info;
    private final RetryPolicy policy;
    private final EndpointLimits limits;
    private final CallObserver observer;
    /** True from the start, or once {@link #bodyCaptured()} on the thread that sent the body. */
    private volatile boolean replayable;
    private final long deadlineNanos;
    /** The request body when known whole (for the resend fingerprint), else null. */
    private final byte[] body;
    private volatile State state = State.NEW;
    private int attempts;
    private long attemptSentAt;
    /** When the attempt before the current one was sent: a success since then makes a failure a passing one. */
    private long previousAttemptSentAt;
    /** The tokens the next or current attempt reserved; null without a token gate. */
    private TokenGate.Reservation tokens;
    /** The last answer was a 429 naming a token limit. */
    private boolean tokenLimited;
    /** Positive when this call is the breaker's half-open probe. */
    private long probeTicket;
    private long waitedMillis;
    /** The wait decided last, reported with its measured length when the next attempt begins. */
    private long waitPlannedAt;
    private BackoffSource waitSource;
    private String waitStretched;
    private int lastStatus;
    private ClassifiedError lastError;
    /**
     * The last error the app read inside the stream of its success: the call's final error. Set from
     * the reading thread, which may be ahead of the attempt's own end (a body read whole before the
     * client returns), so it is kept apart from {@link #lastError}.
     */
    private volatile ClassifiedError streamError;
    /** The attempt in flight answered a 200 whose first event was an error: not a pass for the endpoint. */
    private boolean firstEventFailed;
    private String giveUpReason;
    /** The success's body the app reads, whose end ends the call's telemetry; null when none is read. */
    private volatile SuccessBody successBody;
    private volatile Throwable endedBy;
    /** Cancellation of an async call may race with its last attempt; the call ends once. */
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * @param body          the request body when known whole, else null
     * @param timeoutMillis the request's own timeout, which also bounds all retries of the call;
     *                      0 or negative when it has none
     */
    AiCall(CallInfo info, RetryPolicy policy, EndpointLimits limits, Telemetry telemetry, boolean replayable,
           byte[] body, long timeoutMillis) {
        this.info = info;
        this.policy = policy;
        this.limits = limits;
        this.observer = safe(telemetry, info);
        this.replayable = replayable;
        this.body = body;
        this.deadlineNanos = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
    }

    public CallInfo info() {
        return info;
    }

    public int attempts() {
        return attempts;
    }

    State state() {
        return state;
    }

    /**
     * Whether aierr decides on retrying responses with this status. A client's own retry loop
     * must then leave them alone, or both would retry and multiply the attempts.
     */
    public boolean decidesRetryOf(int status) {
        return policy.enabled && policy.statuses.contains(status);
    }

    /**
     * Call once, before the first attempt. The call may have to wait for its turn (other calls
     * learned that the endpoint's limit binds), or be answered without sending: a resend of a
     * request aierr settled, an open breaker, or a turn beyond max-wait.
     */
    public Admission admit() {
        assert state == State.NEW : state;
        long now = System.nanoTime();
        Refusal refusal = resendOfSettled(now);
        long ticket = refusal == null ? limits.breaker.admit(now, true) : CircuitBreaker.REJECTED;
        if (refusal == null && ticket == CircuitBreaker.REJECTED) {
            refusal = limits.breaker.refusal(now, limits.name);
        }
        if (refusal != null) {
            refuse(refusal);
            return Admission.refused(refusal);
        }
        probeTicket = ticket;
        limits.budget.callStarted(now);
        limits.inProgress.incrementAndGet();
        state = State.ADMITTED;
        RateGate.Turn turn = limits.gate == null ? RateGate.Turn.OWN_TIME : limits.gate.reserve(now, now, alone());
        long wait = toMillis(turn.waitNanos);
        long tokenWait = reserveTokens(now);
        boolean forTokens = tokenWait > wait;
        wait = Math.max(wait, tokenWait);
        if (wait > remainingWaitMillis()) {
            AnswerCopy cause = forTokens ? limits.tokens.cause() : limits.gate.cause();
            if (cause != null) {
                Refusal held = new Refusal(Refusal.Reason.HELD, cause, "the turn of " + limits.name + " comes in "
                        + wait + "ms, more than the " + remainingWaitMillis() + "ms left of max-wait");
                refuse(held);
                return Admission.refused(held);
            }
            releaseTokens(now);
            return Admission.NOW; // held by counters alone: no answer to copy, so let the server answer
        }
        if (wait > 0) {
            planWait(now, forTokens ? BackoffSource.PACED : turn.cause, null);
        }
        return Admission.after(wait);
    }

    /**
     * Reserves the next attempt's estimated tokens: the prompt at about four bytes of body a token,
     * and the output cap the request names. Returns the wait for them, ms.
     */
    private long reserveTokens(long now) {
        if (limits.tokens == null) {
            return 0;
        }
        tokens = limits.tokens.reserve(now, info.model, body == null ? 0 : body.length / 4.0,
                Math.max(0, info.maxOutputTokens));
        return toMillis(tokens.waitNanos());
    }

    private void releaseTokens(long now) {
        if (tokens != null) {
            limits.tokens.release(now, tokens);
        }
    }

    /** The refusal of a request the app resends after aierr settled it, or null. */
    private Refusal resendOfSettled(long now) {
        if (limits.settled.isEmpty()) {
            return null;
        }
        Long fingerprint = fingerprint();
        AnswerCopy settled = fingerprint == null ? null : limits.settled.resendOf(fingerprint, now);
        return settled == null ? null : new Refusal(Refusal.Reason.SETTLED, settled, "a resend of a request aierr "
                + "settled with " + settled.error.status + " " + settled.error.category.id() + " (its attempts are spent)");
    }

    private void refuse(Refusal refusal) {
        lastStatus = refusal.answer.status;
        lastError = refusal.answer.error;
        giveUpReason = refusal.toString();
        end(null);
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

    /** Call right before sending each attempt, once its wait is over. */
    public void beginAttempt() {
        assert state == State.ADMITTED || state == State.WAITING || state == State.ENDED : state;
        long now = System.nanoTime();
        if (waitSource != null) {
            // the wait actually taken, timer and scheduling included, not the one planned
            long waited = Math.max(0, (now - waitPlannedAt) / 1_000_000L);
            waitedMillis += waited;
            observer.backoff(attempts + 1, waited, waitSource, waitStretched);
            waitSource = null;
        }
        attempts++;
        previousAttemptSentAt = attemptSentAt;
        attemptSentAt = now;
        firstEventFailed = false;
        if (tokens != null) {
            limits.tokens.sent(now, tokens);
        }
        if (state != State.ENDED) {
            state = State.SENDING;
        }
        observer.attemptStarted(attempts);
    }

    /**
     * The app's own code sent the attempt in flight once more before aierr saw its answer (an
     * interceptor's retry loop inside one client call): the server saw another request, which counts
     * against max-attempts. aierr saw none of its answers, so it adds no attempt span.
     */
    public void sentAgainInside() {
        attempts++;
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
     * the caller waits {@link RetryDecision#delayMillis} and begins the next attempt; on a give-up it
     * delivers the response and then calls {@link #delivered()}. A response whose body broke is given
     * up, not settled: without aierr the app would meet the client's read error, so it still must,
     * and whatever the client or the app does next is theirs to do.
     */
    public RetryDecision onErrorResponse(ErrorResponse response) {
        assert state == State.SENDING || state == State.ENDED : state;
        ClassifiedError error = ErrorClassifier.classify(info.provider, response);
        lastStatus = response.status;
        lastError = error;
        observer.attemptResponded(attempts, response.status, error);
        long now = System.nanoTime();
        AnswerCopy answer = AnswerCopy.of(response, error);
        shareWithEndpoint(now, response, answer);
        RetryDecision decision = response.bodyBroken
                ? RetryDecision.giveUp("body broke after " + response.body.length + " bytes")
                : limit(now, error, policy.decide(error, attempts, waitedMillis, remainingMillis(), replayable,
                        isolated(error)));
        decided(now, decision, error, answer);
        return decision;
    }

    /**
     * Whether a success of this content type is held until its first event (see {@link FirstEvent}):
     * an event stream of a call that can be sent again, while retries are on and the hold is.
     */
    public boolean holdsFirstEvent(String contentType) {
        return policy.enabled && policy.firstEventWaitMillis > 0 && replayable && EventStream.isEventStream(contentType);
    }

    /** How long a held stream waits for its first event before it goes to the app all the same. */
    public long firstEventWaitMillis() {
        return policy.firstEventWaitMillis;
    }

    /**
     * The attempt answered a {@code 200} event stream whose first event carries this error, and nothing
     * reached the app yet: decided on as an error response would be (same attempts, waits, gate, budget
     * and breaker). On a retry the caller drops the response and waits; on a give-up the app gets the
     * stream as it came ({@link #onSuccess}), and its error is reported as it reads it.
     *
     * @param answer the event as an error answer (its status the one it names or stands for, its body the
     *               event's data), for the endpoint's gate and breaker and the answers they may copy
     */
    public RetryDecision onFirstEventError(ErrorResponse answer, ClassifiedError error) {
        assert state == State.SENDING || state == State.ENDED : state;
        long now = System.nanoTime();
        firstEventFailed = true;
        shareWithEndpoint(now, answer, AnswerCopy.of(answer, error));
        RetryDecision decision = limit(now, error,
                policy.decideFirstEvent(error, attempts, waitedMillis, remainingMillis(), replayable,
                        isolated(error)));
        if (decision.retry) {
            // dropped unseen: the attempt ends here with the error, as an error response's would
            lastStatus = 200;
            lastError = error;
            observer.attemptResponded(attempts, 200, error);
            planWait(now, decision.source, decision.stretched);
            state = State.WAITING;
        } else {
            giveUpReason = decision.reason;
        }
        return decision;
    }

    /**
     * The app read an error event inside the stream of this call's success: the final category of the
     * call, unless a later one follows. Mid-stream errors are never retried: content reached the app.
     */
    void inBandError(ClassifiedError error) {
        streamError = error;
        observer.inBandError(error);
    }

    private void decided(long now, RetryDecision decision, ClassifiedError error, AnswerCopy answer) {
        if (decision.retry) {
            planWait(now, decision.source, decision.stretched);
            state = State.WAITING;
        } else {
            giveUpReason = decision.reason;
            state = State.ANSWERED;
            if (decision.settled && (error.category.retryable() || error.category.neverRetried())) {
                Long fingerprint = fingerprint();
                if (fingerprint != null) {
                    limits.settled.settled(fingerprint, answer, now);
                }
            }
        }
    }

    /** The attempt succeeded (status below 400) and the app gets this response. */
    public void onSuccess(int status, Headers headers) {
        assert state == State.SENDING || state == State.ENDED : state;
        long now = System.nanoTime();
        if (!firstEventFailed) {
            if (limits.gate != null) {
                limits.gate.passed(now, RateCounters.from(headers, System.currentTimeMillis()));
            }
            if (tokens != null) {
                limits.tokens.answered(now, tokens, headers, System.currentTimeMillis(), true);
            }
            limits.breaker.record(now, null);
            limits.answers.succeeded(now);
            limits.settled.succeeded();
        }
        lastStatus = status;
        lastError = null;
        observer.attemptResponded(attempts, status, null);
        end(null);
    }

    /**
     * The body of this call's success (status below 400), read as it flows to the app: make it when
     * the response's body starts, before or after {@link #onSuccess}. The call's telemetry then ends
     * when the app has read the body or closed it, with what the body said of its usage.
     */
    public SuccessBody successBody(String contentType) {
        SuccessBody body = new SuccessBody(this, UsageReader.forContentType(contentType), info.provider);
        successBody = body;
        return body;
    }

    /** The success's body was read (or closed); {@code usage} is what it said, null when unread. */
    void bodyRead(ResponseUsage usage) {
        if (usage != null && !usage.isEmpty()) {
            observer.responseRead(usage);
            if (tokens != null && usage.inputTokens != null) {
                limits.tokens.used(tokens, usage.inputTokens);
            }
        }
    }

    /** The last error response reached the app. */
    public void delivered() {
        assert state == State.ANSWERED || state == State.ENDED : state;
        end(null);
    }

    /** The client could not read its own response for judging (aierr's failure): the app gets it as it is. */
    public void passedUnjudged(Throwable why) {
        assert state == State.SENDING || state == State.ANSWERED || state == State.WAITING || state == State.ENDED
                : state;
        giveUpReason = "passed to the app unjudged: " + why;
        end(null);
    }

    /** The attempt failed without a response; the app gets this failure. */
    public void onFailure(Throwable failure) {
        assert state == State.SENDING || state == State.ANSWERED || state == State.ENDED : state;
        lastStatus = 0;
        lastError = ErrorClassifier.classifyFailure(info.provider, failure);
        observer.attemptFailed(attempts, failure, lastError);
        end(failure);
    }

    /** The call stopped while waiting between attempts (interrupted, cancelled, client closed). */
    public void aborted(Throwable why) {
        assert state != State.NEW : state;
        giveUpReason = "stopped while waiting: " + why;
        end(why);
    }

    private void planWait(long now, BackoffSource source, String stretched) {
        waitPlannedAt = now;
        waitSource = source;
        waitStretched = stretched;
    }

    /** Tells the endpoint's gate and breaker what this answer says about the endpoint. */
    private void shareWithEndpoint(long now, ErrorResponse response, AnswerCopy answer) {
        Category c = answer.error.category;
        tokenLimited = false;
        if (tokens != null) {
            if (c == Category.RATE_LIMITED) {
                tokenLimited = limits.tokens.throttled(now, tokens, response.headers, response.receivedAtMillis, answer);
            } else {
                limits.tokens.answered(now, tokens, response.headers, response.receivedAtMillis, false);
            }
        }
        if (limits.gate != null && c.holdsOthers() && !tokenLimited) {
            RetryHint hint = answer.error.retryHint;
            limits.gate.throttled(now, attemptSentAt, hint == null ? -1 : hint.delayMillis,
                    RateCounters.from(response.headers, response.receivedAtMillis), answer);
        }
        limits.breaker.record(now, c.isOutage() ? answer : null);
        limits.answers.failed(c.retryable() && answer.error.retryHint == null);
    }

    /**
     * The policy's retry, unless the endpoint's breaker, budget or gate says otherwise. When they
     * refuse, the call already has its own last response: it is settled with that.
     */
    private RetryDecision limit(long now, ClassifiedError error, RetryDecision decision) {
        return waitForTokens(now, error, limitByEndpoint(now, error, decision));
    }

    private RetryDecision limitByEndpoint(long now, ClassifiedError error, RetryDecision decision) {
        if (!decision.retry) {
            return decision;
        }
        if (limits.breaker.admit(now, false) == CircuitBreaker.REJECTED) {
            return RetryDecision.settle("circuit open for " + limits.name);
        }
        if (error.category.spendsRetryBudget() && !limits.budget.tryRetry(now)) {
            return RetryDecision.settle("retry budget spent for " + limits.name);
        }
        if (limits.gate == null) {
            return decision;
        }
        // while a limit binds, a throttled call without a server hint needs no backoff of its own: its turn is the wait
        boolean turnIsTheWait = error.category == Category.RATE_LIMITED && error.retryHint == null
                && limits.gate.pacing() && !alone();
        long earliest = now + (turnIsTheWait ? 0 : decision.delayMillis * 1_000_000L);
        RateGate.Turn turn = limits.gate.reserve(now, earliest, alone());
        if (turn.cause == null && !turnIsTheWait) {
            return decision;
        }
        long wait = toMillis(turn.waitNanos);
        if (wait > remainingWaitMillis()) {
            return RetryDecision.settle("the turn of " + limits.name + " comes in " + wait + "ms, more than the "
                    + remainingWaitMillis() + "ms left of max-wait");
        }
        if (turnIsTheWait) {
            return RetryDecision.retryAfter(wait, BackoffSource.PACED);
        }
        return RetryDecision.stretched(decision, wait, turn.cause);
    }

    /**
     * The retry also waits its turn for tokens, when they will not be there by its own time. A lone
     * caller's hint outranks what aierr estimates: it goes at the server's time. A token 429 without
     * a hint needs no backoff of its own once the bucket is known: its turn is the wait.
     */
    private RetryDecision waitForTokens(long now, ClassifiedError error, RetryDecision decision) {
        if (!decision.retry || limits.tokens == null) {
            return decision;
        }
        long wait = reserveTokens(now);
        boolean turnIsTheWait = tokenLimited && error.retryHint == null && tokens.paced();
        boolean heldByGate = decision.source == BackoffSource.HELD || decision.source == BackoffSource.PACED
                || decision.source == BackoffSource.FLEET;
        if (turnIsTheWait && !heldByGate && wait <= remainingWaitMillis()) {
            return RetryDecision.retryAfter(wait, BackoffSource.PACED);
        }
        if (wait <= decision.delayMillis || (error.retryHint != null && alone())) {
            return decision;
        }
        if (wait > remainingWaitMillis()) {
            releaseTokens(now);
            return RetryDecision.settle("the token turn of " + limits.name + " comes in " + wait
                    + "ms, more than the " + remainingWaitMillis() + "ms left of max-wait");
        }
        return RetryDecision.stretched(decision, wait, BackoffSource.PACED);
    }

    /**
     * Whether this failure stands alone among the endpoint's good answers (see {@link
     * io.aierr.core.limits.RecentAnswers}). A bare 429 may be a limit that binds, which successes just
     * before it do not rule out: only one after its attempt was sent does. A 450, 503 or 529 needs a
     * success within the second before the attempt, or the call's previous one, was sent: a caller
     * left nearly alone, whose own last call succeeded, is not backed off in full for a second passing
     * failure, and once a second has passed without a success, failures are.
     */
    private boolean isolated(ClassifiedError error) {
        if (error.category == Category.RATE_LIMITED) {
            return limits.answers.isolated(attemptSentAt, false);
        }
        return limits.answers.isolated(attempts <= 1 ? attemptSentAt : previousAttemptSentAt, true);
    }

    /** No other call to the endpoint is in progress. */
    private boolean alone() {
        return limits.inProgress.get() <= 1;
    }

    private long remainingWaitMillis() {
        return Math.max(0, Math.min(policy.maxWaitMillis - waitedMillis, remainingMillis()));
    }

    /**
     * Method, URL and body, hashed: what makes a request the same request again. Null when the body
     * is not known whole (a request with a body aierr did not see, or one longer than the peek limit).
     */
    private Long fingerprint() {
        boolean bodiless = "GET".equals(info.method) || "DELETE".equals(info.method) || "HEAD".equals(info.method);
        if (body == null ? !bodiless : body.length >= PEEK_LIMIT) {
            return null;
        }
        byte[] b = body == null ? new byte[0] : body;
        CRC32 crc = new CRC32();
        crc.update((info.method + ' ' + info.url).getBytes(StandardCharsets.UTF_8));
        crc.update(b);
        // two independent 32-bit hashes: a false match would answer a new request with an old error
        return (crc.getValue() << 32) | (Arrays.hashCode(b) & 0xffffffffL);
    }

    private static long toMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000L;
    }

    private void end(Throwable failure) {
        if (ended.compareAndSet(false, true)) {
            releaseTokens(System.nanoTime());
            if (state != State.NEW) {
                limits.inProgress.decrementAndGet();
            }
            state = State.ENDED;
            if (probeTicket > 0) {
                limits.breaker.probeEnded(probeTicket);
            }
            endedBy = failure;
            SuccessBody body = successBody;
            if (failure == null && body != null && !body.callEnded()) {
                return; // the app still reads the success's body: its end reports the call
            }
            report();
        }
    }

    /** Tells the observer the call ended, once both the call and the body the app reads are done. */
    void report() {
        ClassifiedError inStream = streamError;
        observer.callEnded(attempts, lastStatus, inStream != null ? inStream : lastError, endedBy, giveUpReason);
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
