package io.aierr.core;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.usage.ResponseUsage;

/**
 * Receives the life of one logical AI call, in order: for each attempt {@code attemptStarted} then
 * one {@code attempt*} outcome, a {@code backoff} between attempts, {@code inBandError} for each
 * error event the app reads in a streamed success, {@code responseRead} when the app has read a
 * success's body, and {@code callEnded} once.
 * Implementations must be cheap and must never throw. Calls of one AI call never overlap, but
 * may come from different threads (async clients).
 */
public interface CallObserver {
    CallObserver NOOP = new CallObserver() {
    };

    /** @param attempt 1 for the first send, 2 for the first resend... */
    default void attemptStarted(int attempt) {
    }

    /** A response arrived; {@code error} is null for a success (status below 400). */
    default void attemptResponded(int attempt, int status, ClassifiedError error) {
    }

    /**
     * The W3C {@code traceparent} that names the attempt in flight as the parent of the request, or
     * null when this observer makes no spans.
     */
    default String traceparent() {
        return null;
    }

    /** Makes the attempt in flight the current span of the app's own tracing on this thread, until closed. */
    default TraceScope attemptInAppContext() {
        return TraceScope.NONE;
    }

    /** The attempt failed without a response (connection refused, reset, timed out). */
    default void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
    }

    /**
     * The call waited this long, measured, before the attempt about to begin. {@code nextAttempt} 1
     * is a wait before the first attempt: the endpoint's rate gate held the call for its turn (not a
     * retry).
     *
     * @param source    what set the wait
     * @param stretched for a {@link BackoffSource#HELD} or {@link BackoffSource#PACED} retry, the
     *                  call's own wait that the gate made longer ({@code retry-after-ms 250ms}); else null
     */
    default void backoff(int nextAttempt, long waitedMillis, BackoffSource source, String stretched) {
    }

    /**
     * The app read an error event inside the stream of the call's success (an in-band error, or an
     * answer stopped by a content filter): it reached the app, and is the call's final error unless
     * another follows. Comes before {@code callEnded}, from the thread that reads the body, which may
     * be ahead of the attempt's own end (a body read whole before the client returns): the one call
     * that may overlap another of the same AI call.
     */
    default void inBandError(ClassifiedError error) {
    }

    /**
     * The app read the body of the call's success (or closed it), and this is what it said of its
     * usage; comes before {@code callEnded}. Not called when the body said nothing.
     */
    default void responseRead(ResponseUsage usage) {
    }

    /**
     * The app gets its answer: the last attempt's response ({@code error} null on success), or
     * {@code failure} (the transport error, interruption or cancellation the app sees).
     *
     * @param giveUpReason why aierr stopped retrying, or null when it was not asked to
     */
    default void callEnded(int attempts, int status, ClassifiedError error, Throwable failure,
                           String giveUpReason) {
    }
}
