package io.aierr.core;

/** Where AI calls are reported. One instance per agent; see {@code io.aierr.telemetry}. */
public interface Telemetry {
    Telemetry NONE = info -> CallObserver.NOOP;

    /** Called once per logical AI call, before its first attempt. Never throws. */
    CallObserver callStarted(CallInfo info);

    /** Flush and release, within about 2 seconds. Called once at JVM exit. */
    default void shutdown() {
    }
}
