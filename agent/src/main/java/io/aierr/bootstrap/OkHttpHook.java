package io.aierr.bootstrap;

/**
 * What the advice woven into OkHttp's {@code RealCall} calls. Like {@link JdkHttpHook} it mentions
 * only {@code java.base} types: OkHttp lives in the app's class loader, which sees this bridge
 * through the platform loader but can see nothing of the agent's own loader.
 */
public interface OkHttpHook {
    /**
     * @return null to let the original {@code execute()} run, else {@code {response, throwable}}:
     *         what the app's call returns or throws
     */
    Object[] execute(Object call);

    /**
     * @return the callback the original {@code enqueue} gets (the app's own, or one that retries), or
     *         null when the hook dispatches the call itself: later, after its turn, or never, when it
     *         answers the app's callback without sending
     */
    Object enqueue(Object call, Object callback);

    /**
     * A request of some call is about to go below the app's interceptors: one per {@code chain.proceed}
     * of the last application interceptor.
     */
    void sending(Object chain);

    /** {@code cancel()} was called on this call (by the app, or by its call timeout). */
    void cancelled(Object call);
}
