package io.aierr.core;

import java.net.URI;

/** What every client adapter needs: which URLs are AI calls, and a new {@link AiCall} for each. */
public final class AiCalls {
    private final EndpointMatcher endpoints;
    private final RetryPolicy policy;
    private final Telemetry telemetry;

    public AiCalls(EndpointMatcher endpoints, RetryPolicy policy, Telemetry telemetry) {
        this.endpoints = endpoints;
        this.policy = policy;
        this.telemetry = telemetry;
    }

    /** The provider serving this URI, or null when the call is not an AI call and must pass untouched. */
    public String providerFor(URI uri) {
        return endpoints.providerFor(uri);
    }

    /** The same for a client that knows host and port without building a {@link URI}. */
    public String providerFor(String host, int port) {
        return endpoints.providerFor(host, port);
    }

    /**
     * For a request that carries aierr's own telemetry to its collector: a scope to send it in so
     * that the app's tracing does not trace it. Null for any other request, or when nothing traces.
     */
    public TraceScope ownExportScope(URI uri) {
        return endpoints.isCollector(uri) ? telemetry.ownExport() : null;
    }

    /**
     * Call on the app's thread, before the first attempt: aierr's call span starts here, as a child
     * of the app's current span.
     *
     * @param requestBodyPrefix the first bytes of the request body when cheaply known, else null
     * @param replayable        whether the request body can be sent again
     * @param timeoutMillis     the request's own timeout, 0 when none
     * @param appTraceparent    the {@code traceparent} header of the app's request, or null
     */
    public AiCall begin(String provider, String method, URI uri, byte[] requestBodyPrefix,
                        boolean replayable, long timeoutMillis, String appTraceparent) {
        int port = uri.getPort() != -1 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        String path = uri.getRawPath();
        CallInfo info = new CallInfo(provider, method, uri.toString(), uri.getHost(), port,
                RequestDescriber.operation(path), RequestDescriber.model(path, requestBodyPrefix), appTraceparent);
        return new AiCall(info, policy, telemetry, replayable, timeoutMillis);
    }
}
