package io.aierr.telemetry;

import io.aierr.core.CallInfo;
import io.aierr.core.CallObserver;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds a costly telemetry (the OpenTelemetry SDK: hundreds of classes, threads, an HTTP
 * client) on the first AI call instead of at JVM start, so apps that make no AI call, and the
 * start of those that do, do not pay for it. Names no OpenTelemetry type itself.
 */
final class LazyTelemetry implements Telemetry {
    private final Supplier<Telemetry> factory;
    private final Consumer<String> warn;
    private volatile Telemetry delegate;
    private boolean shutDown;

    LazyTelemetry(Supplier<Telemetry> factory, Consumer<String> warn) {
        this.factory = factory;
        this.warn = warn;
    }

    @Override
    public CallObserver callStarted(CallInfo info) {
        Telemetry d = delegate;
        return (d != null ? d : start()).callStarted(info);
    }

    private synchronized Telemetry start() {
        if (delegate == null) {
            if (shutDown) {
                // a call during JVM exit: too late to start exporting
                return NONE;
            }
            try {
                delegate = factory.get();
            } catch (OtelSettings.Rejected e) {
                warn.accept(e.getMessage());
                delegate = NONE;
            } catch (RuntimeException | LinkageError e) {
                warn.accept("OpenTelemetry export not started, calls go on without it: " + e);
                delegate = NONE;
            }
        }
        return delegate;
    }

    /** Exports start after the delegate does. */
    @Override
    public TraceScope ownExport() {
        Telemetry d = delegate;
        return d == null ? null : d.ownExport();
    }

    @Override
    public synchronized void shutdown() {
        shutDown = true;
        if (delegate != null) {
            delegate.shutdown();
        }
    }
}
