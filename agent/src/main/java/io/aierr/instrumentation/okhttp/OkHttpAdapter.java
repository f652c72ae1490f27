package io.aierr.instrumentation.okhttp;

import io.aierr.bootstrap.OkHttpHook;
import io.aierr.core.retry.AiCalls;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.HelperInjector;

import java.util.function.Consumer;

/**
 * Runs AI calls made with OkHttp (3.14, 4.x, 5.x) through the core. Everything that names OkHttp
 * types lives in the helper package {@code okhttp3}, defined in the class loader of each OkHttp copy
 * the hook meets (a Spring Boot jar's loader cannot be seen from the agent's); this class only lets
 * the agent's own attempts through and picks the helper.
 */
public final class OkHttpAdapter implements OkHttpHook {
    private static final OkHttpHook PASS_THROUGH = new OkHttpHook() {
        @Override
        public Object[] execute(Object call) {
            return null;
        }

        @Override
        public Object enqueue(Object call, Object callback) {
            return callback;
        }

        @Override
        public void sending(Object chain) {
        }

        @Override
        public void cancelled(Object call) {
        }
    };

    private final AiCalls calls;
    private final Consumer<String> warn;
    private final HelperInjector injector;
    private final SendingCalls sending = new SendingCalls();
    /** One helper per OkHttp class the hook meets (the call's, the interceptor chain's): a field read once made. */
    private final ClassValue<OkHttpHook> helpers = new ClassValue<>() {
        @Override
        protected OkHttpHook computeValue(Class<?> okHttpClass) {
            return helperFor(okHttpClass);
        }
    };

    public OkHttpAdapter(AiCalls calls, Consumer<String> warn, HelperInjector injector) {
        this.calls = calls;
        this.warn = warn;
        this.injector = injector;
    }

    @Override
    public Object[] execute(Object call) {
        return CallDepth.inside() ? null : helpers.get(call.getClass()).execute(call);
    }

    @Override
    public Object enqueue(Object call, Object callback) {
        return CallDepth.inside() ? callback : helpers.get(call.getClass()).enqueue(call, callback);
    }

    @Override
    public void sending(Object chain) {
        if (sending.any()) {
            helpers.get(chain.getClass()).sending(chain);
        }
    }

    @Override
    public void cancelled(Object call) {
        helpers.get(call.getClass()).cancelled(call);
    }

    private OkHttpHook helperFor(Class<?> okHttpClass) {
        String helpers = OkHttpAdapter.class.getPackageName() + ".okhttp3";
        try {
            Class<?> hook = injector.inject(helpers, okHttpClass.getClassLoader(), helpers + ".OkHttp3Hook");
            return (OkHttpHook) hook.getConstructor(AiCalls.class, Consumer.class, SendingCalls.class)
                    .newInstance(calls, warn, sending);
        } catch (Exception | LinkageError e) {
            warn.accept("OkHttp calls of " + okHttpClass.getName() + " pass through unobserved: " + e);
            return PASS_THROUGH;
        }
    }
}
