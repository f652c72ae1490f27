package io.aierr.core;

/** Where AI calls are reported. One instance per agent; see {@code io.aierr.telemetry}. */
public interface Telemetry {
    Telemetry NONE = info -> CallObserver.NOOP;

    /** Called once per logical AI call, before its first attempt. Never throws. */
    CallObserver callStarted(CallInfo info);

    /**
     * While open on this thread, the app's own tracing (the OpenTelemetry Java agent) makes no spans
     * for the requests sent: aierr's exports to its collector are not the app's traffic. Null when
     * nothing needs suppressing.
     */
    default TraceScope ownExport() {
        return null;
    }

    /** Flush and release, within about 2 seconds. Called once at JVM exit. */
    default void shutdown() {
    }
}
