package io.aierr.telemetry;

import io.aierr.core.classify.BackoffSource;
import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.classify.ClassifiedError;
import io.aierr.core.usage.ResponseUsage;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Sends each call's events to every sink (summary counters, console, OpenTelemetry), and keeps
 * a failing sink from reaching the app or the other sinks: its error is said once on stderr.
 */
final class FanOutTelemetry implements Telemetry {
    private final Telemetry[] sinks;
    private final Consumer<String> warn;

    FanOutTelemetry(List<Telemetry> sinks, Consumer<String> warn) {
        this.sinks = sinks.toArray(new Telemetry[0]);
        this.warn = warn;
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        CallObserver[] observers = new CallObserver[sinks.length];
        for (int i = 0; i < sinks.length; i++) {
            try {
                observers[i] = sinks[i].callStarted(info);
            } catch (RuntimeException | LinkageError e) {
                failed(e);
                observers[i] = CallObserver.NOOP;
            }
        }
        return new Observers(observers);
    }

    @Override
    public TraceScope ownExport() {
        return first(sinks, Telemetry::ownExport, null);
    }

    @Override
    public void shutdown() {
        for (Telemetry sink : sinks) {
            try {
                sink.shutdown();
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }
    }

    private void failed(Throwable e) {
        warn.accept("telemetry failed, calls go on unaffected: " + e);
    }

    /** One event, delivered to one sink's observer. */
    private interface Event {
        void deliver(CallObserver observer);
    }

    /**
     * The first answer that is not {@code none}: trace context comes from one sink only. A sink that
     * fails is skipped.
     */
    private <S, T> T first(S[] asked, Function<S, T> question, T none) {
        for (S one : asked) {
            try {
                T answer = question.apply(one);
                if (answer != null && answer != none) {
                    return answer;
                }
            } catch (RuntimeException | LinkageError e) {
                failed(e);
            }
        }
        return none;
    }

    private final class Observers implements CallObserver {
        private final CallObserver[] observers;

        Observers(CallObserver[] observers) {
            this.observers = observers;
        }

        private void each(Event event) {
            for (CallObserver observer : observers) {
                try {
                    event.deliver(observer);
                } catch (RuntimeException | LinkageError e) {
                    failed(e);
                }
            }
        }

        @Override
        public String traceparent() {
            return first(observers, CallObserver::traceparent, null);
        }

        @Override
        public TraceScope attemptInAppContext() {
            return first(observers, CallObserver::attemptInAppContext, TraceScope.NONE);
        }

        @Override
        public void attemptStarted(int attempt) {
            each(o -> o.attemptStarted(attempt));
        }

        @Override
        public void attemptResponded(int attempt, int status, ClassifiedError error) {
            each(o -> o.attemptResponded(attempt, status, error));
        }

        @Override
        public void attemptFailed(int attempt, Throwable failure, ClassifiedError error) {
            each(o -> o.attemptFailed(attempt, failure, error));
        }

        @Override
        public void backoff(int nextAttempt, long waitedMillis, BackoffSource source, String stretched) {
            each(o -> o.backoff(nextAttempt, waitedMillis, source, stretched));
        }

        @Override
        public void inBandError(ClassifiedError error) {
            each(o -> o.inBandError(error));
        }

        @Override
        public void responseRead(ResponseUsage usage) {
            each(o -> o.responseRead(usage));
        }

        @Override
        public void callEnded(int attempts, int status, ClassifiedError error, Throwable failure,
                              String giveUpReason) {
            each(o -> o.callEnded(attempts, status, error, failure, giveUpReason));
        }
    }
}
