package io.aierr.bootstrap;

/**
 * What the advice woven into Apache HttpClient 4 and 5 calls. Like {@link JdkHttpHook} it names
 * only {@code java.base} types: the Apache classes live in the app's class loader, which may be
 * one the agent's loader cannot see (a Spring Boot jar, an app server's web app loader).
 */
public interface ApacheHttpHook {
    /**
     * A classic {@code doExecute(target, request, context)}.
     *
     * @return null to let the original run, else {@code {response, throwable}}: what the app's
     *         call returns or throws
     */
    Object[] execute(Object client, Object target, Object request, Object context);

    /**
     * An async (HttpClient 5) {@code doExecute(target, producer, consumer, pushHandlerFactory,
     * context, callback)}.
     *
     * @return null to let the original run, else the future the app gets
     */
    Object executeAsync(Object client, Object target, Object requestProducer, Object responseConsumer,
                        Object pushHandlerFactory, Object context, Object callback);

    /**
     * A client's own retry strategy is asked whether to send {@code response}'s request again.
     *
     * @return true when aierr decides on that response (an AI call whose retry statuses include
     *         it), so the strategy says no; false to let the strategy decide as it would
     */
    boolean leavesRetryToAierr(Object strategy, Object response, Object context);
}
