package io.aierr.instrumentation.apache;

import io.aierr.bootstrap.ApacheHttpHook;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.instrumentation.CallDepth;
import io.aierr.instrumentation.HelperInjector;

import java.util.function.Consumer;

/**
 * Runs AI calls made with Apache HttpClient 4.5 and 5.x through the core. Everything that names
 * Apache types lives in the helper packages {@code hc4} and {@code hc5}, defined in the class
 * loader of each client class the hook meets (a Spring Boot jar's loader cannot be seen from the
 * agent's); this class only lets the agent's own attempts through and picks the helper.
 */
public final class ApacheHttpAdapter implements ApacheHttpHook {
    private static final ApacheHttpHook PASS_THROUGH = new ApacheHttpHook() {
        @Override
        public Object[] execute(Object client, Object target, Object request, Object context) {
            return null;
        }

        @Override
        public Object executeAsync(Object client, Object target, Object requestProducer, Object responseConsumer,
                                   Object pushHandlerFactory, Object context, Object callback) {
            return null;
        }

        @Override
        public boolean leavesRetryToAierr(Object strategy, Object response, Object context) {
            return false;
        }
    };

    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;
    private final HelperInjector injector;
    /** One helper per client class: the lookup on each call is a field read once it is made. */
    private final ClassValue<ApacheHttpHook> helpers = new ClassValue<>() {
        @Override
        protected ApacheHttpHook computeValue(Class<?> clientClass) {
            return helperFor(clientClass);
        }
    };

    public ApacheHttpAdapter(AiCalls calls, ReplayMemory replay, Consumer<String> warn, HelperInjector injector) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
        this.injector = injector;
    }

    @Override
    public Object[] execute(Object client, Object target, Object request, Object context) {
        if (CallDepth.inside()) {
            return null;
        }
        return helpers.get(client.getClass()).execute(client, target, request, context);
    }

    @Override
    public Object executeAsync(Object client, Object target, Object requestProducer, Object responseConsumer,
                               Object pushHandlerFactory, Object context, Object callback) {
        if (CallDepth.inside()) {
            return null;
        }
        return helpers.get(client.getClass()).executeAsync(client, target, requestProducer, responseConsumer,
                pushHandlerFactory, context, callback);
    }

    /** Asked inside aierr's own attempts too: that is where the client's retry would multiply them. */
    @Override
    public boolean leavesRetryToAierr(Object strategy, Object response, Object context) {
        return helpers.get(strategy.getClass()).leavesRetryToAierr(strategy, response, context);
    }

    private ApacheHttpHook helperFor(Class<?> clientClass) {
        boolean httpClient4 = clientClass.getName().startsWith("org.apache.http.");
        String helpers = ApacheHttpAdapter.class.getPackageName() + (httpClient4 ? ".hc4" : ".hc5");
        String entry = helpers + (httpClient4 ? ".Hc4Hook" : ".Hc5Hook");
        try {
            Class<?> hook = injector.inject(helpers, clientClass.getClassLoader(), entry);
            return (ApacheHttpHook) hook.getConstructor(AiCalls.class, ReplayMemory.class, Consumer.class)
                    .newInstance(calls, replay, warn);
        } catch (Exception | LinkageError e) {
            warn.accept("Apache HttpClient calls of " + clientClass.getName() + " pass through unobserved: " + e);
            return PASS_THROUGH;
        }
    }
}
