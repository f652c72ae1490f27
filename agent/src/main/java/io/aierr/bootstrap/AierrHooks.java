package io.aierr.bootstrap;

/**
 * The bridge from woven client code to the agent: one static slot per instrumented client, filled
 * at premain, and the static methods the woven code calls (see {@code MethodHook}). Defined in the
 * platform class loader so that classes of every loader see the same slots. A method here never
 * throws: whatever goes wrong inside aierr, the client's own code runs as if it were not there.
 */
public final class AierrHooks {
    public static volatile JdkHttpHook jdkHttp;
    public static volatile ApacheHttpHook apacheHttp;
    public static volatile OkHttpHook okHttp;

    private AierrHooks() {
    }

    public static Object[] jdkSend(Object client, Object request, Object handler) {
        try {
            JdkHttpHook hook = jdkHttp;
            return hook == null ? null : hook.send(client, request, handler);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object jdkSendAsync(Object client, Object request, Object handler) {
        return jdkSendAsync(client, request, handler, null);
    }

    public static Object jdkSendAsync(Object client, Object request, Object handler, Object pushPromiseHandler) {
        try {
            JdkHttpHook hook = jdkHttp;
            return hook == null ? null : hook.sendAsync(client, request, handler, pushPromiseHandler);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object[] okHttpExecute(Object call) {
        try {
            OkHttpHook hook = okHttp;
            return hook == null ? null : hook.execute(call);
        } catch (Throwable t) {
            return null;
        }
    }

    /** The callback the original {@code enqueue} runs with, or null when the hook dispatches the call itself. */
    public static Object okHttpEnqueue(Object call, Object callback) {
        try {
            OkHttpHook hook = okHttp;
            return hook == null ? callback : hook.enqueue(call, callback);
        } catch (Throwable t) {
            return callback;
        }
    }

    public static void okHttpSending(Object interceptor, Object chain) {
        try {
            OkHttpHook hook = okHttp;
            if (hook != null) {
                hook.sending(chain);
            }
        } catch (Throwable t) {
            // counting is aierr's business: the request goes on
        }
    }

    public static void okHttpCancelled(Object call) {
        try {
            OkHttpHook hook = okHttp;
            if (hook != null) {
                hook.cancelled(call);
            }
        } catch (Throwable t) {
            // the app's cancel went through; only aierr's pending retry may not know
        }
    }

    public static Object[] apacheExecute(Object client, Object target, Object request, Object context) {
        try {
            ApacheHttpHook hook = apacheHttp;
            return hook == null ? null : hook.execute(client, target, request, context);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object apacheExecuteAsync(Object client, Object target, Object producer, Object consumer,
                                            Object pushHandlerFactory, Object context, Object callback) {
        try {
            ApacheHttpHook hook = apacheHttp;
            return hook == null ? null
                    : hook.executeAsync(client, target, producer, consumer, pushHandlerFactory, context, callback);
        } catch (Throwable t) {
            return null;
        }
    }

    /** True when a retry strategy should say "no" without asking itself: aierr decides on this response. */
    public static boolean apacheLeavesRetryToAierr(Object strategy, Object response, Object context) {
        try {
            ApacheHttpHook hook = apacheHttp;
            return hook != null && hook.leavesRetryToAierr(strategy, response, context);
        } catch (Throwable t) {
            return false;
        }
    }
}
