package io.aierr.bootstrap;

/**
 * The bridge from woven client code to the agent: one static slot per instrumented client,
 * filled at premain. Loaded by the bootstrap class loader so that classes of every loader see
 * the same slots.
 */
public final class AierrHooks {
    public static volatile JdkHttpHook jdkHttp;
    public static volatile ApacheHttpHook apacheHttp;
    public static volatile OkHttpHook okHttp;

    private AierrHooks() {
    }
}
