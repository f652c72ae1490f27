package io.aierr.bootstrap;

/**
 * What the advice woven into {@code jdk.internal.net.http.HttpClientFacade} calls. It lives in the
 * bootstrap class loader and mentions only {@code java.base} types, because the facade's
 * platform loader can see neither the agent's own loader nor anything that names
 * {@code java.net.http} types from the bootstrap loader.
 */
public interface JdkHttpHook {
    /**
     * @return null to let the original {@code send} run, else {@code {response, throwable}}: what
     *         the app's call returns or throws
     */
    Object[] send(Object client, Object request, Object bodyHandler);

    /** @return null to let the original {@code sendAsync} run, else the future the app gets */
    Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler);
}
