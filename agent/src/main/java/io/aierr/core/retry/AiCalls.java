package io.aierr.core.retry;

import io.aierr.core.CallInfo;
import io.aierr.core.EndpointMatcher;
import io.aierr.core.RequestDescriber;
import io.aierr.core.Telemetry;
import io.aierr.core.TraceScope;
import io.aierr.core.limits.EndpointLimits;
import io.aierr.core.limits.EndpointPolicy;

import java.net.URI;
import java.util.function.UnaryOperator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client adapter needs: which URLs are AI calls, and a new {@link AiCall} for each,
 * joined to the limits it shares with the other calls to the same endpoint.
 */
public final class AiCalls {
    /** Request headers that carry the API key, whichever the provider uses. */
    private static final String[] CREDENTIAL_HEADERS = {"authorization", "api-key", "x-api-key", "x-goog-api-key"};
    /** Endpoints tracked; an app talks to a handful, so this only guards against unbounded growth. */
    private static final int MAX_ENDPOINTS = 1024;

    private final EndpointMatcher endpoints;
    private final RetryPolicy policy;
    private final EndpointPolicy endpointPolicy;
    private final Telemetry telemetry;
    private final Map<String, EndpointLimits> limits = new ConcurrentHashMap<>();
    /** Endpoints given limits of their own; entries are never removed, so it only grows to the cap. */
    private final AtomicInteger tracked = new AtomicInteger();
    /** Shared by the endpoints beyond {@link #MAX_ENDPOINTS}: coarser, but still bounded. */
    private final EndpointLimits overflow;

    public AiCalls(EndpointMatcher endpoints, RetryPolicy policy, EndpointPolicy endpointPolicy, Telemetry telemetry) {
        this.endpoints = endpoints;
        this.policy = policy;
        this.endpointPolicy = endpointPolicy;
        this.telemetry = telemetry;
        this.overflow = endpointPolicy.newLimits("(other endpoints)");
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
     * @param credential        see {@link #credential}; only
     *                          a fingerprint of it is kept, to tell the endpoints of two keys apart
     * @param requestBodyPrefix the first {@link AiCall#PEEK_LIMIT} bytes of the request body when cheaply
     *                          known, else null; a shorter prefix is the whole body
     * @param replayable        whether the request body can be sent again
     * @param timeoutMillis     the request's own timeout, 0 when none
     * @param appTraceparent    the {@code traceparent} header of the app's request, or null
     */
    public AiCall begin(String provider, String method, URI uri, String credential, byte[] requestBodyPrefix,
                        boolean replayable, long timeoutMillis, String appTraceparent) {
        int port = uri.getPort() != -1 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        String path = uri.getRawPath();
        RequestDescriber.BodyFacts body = RequestDescriber.BodyFacts.of(requestBodyPrefix);
        CallInfo info = new CallInfo(provider, method, uri.toString(), uri.getHost(), port,
                RequestDescriber.operation(path), RequestDescriber.model(path, body), appTraceparent,
                body.maxOutputTokens);
        return new AiCall(info, policy, limitsFor(uri.getHost() + ':' + port, credential), telemetry, replayable,
                requestBodyPrefix, timeoutMillis);
    }

    /**
     * The request's API key: the value of the first key-carrying header it has, or null.
     *
     * @param header a request header's first value by name, or null when absent
     */
    public static String credential(UnaryOperator<String> header) {
        for (String name : CREDENTIAL_HEADERS) {
            String value = header.apply(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Limits are per host, port and key: two keys of one account may have their own limits. */
    private EndpointLimits limitsFor(String authority, String credential) {
        String key = credential == null ? authority : authority + " key#" + Integer.toHexString(credential.hashCode());
        EndpointLimits found = limits.get(key);
        if (found != null) {
            return found;
        }
        if (tracked.get() >= MAX_ENDPOINTS) {
            return overflow;
        }
        // the count is taken where the entry is made: a size check before it let callers of new keys
        // at the same instant pass it together (a soak run tracked 1,025 endpoints)
        EndpointLimits made = limits.computeIfAbsent(key,
                k -> tracked.incrementAndGet() <= MAX_ENDPOINTS ? endpointPolicy.newLimits(authority, credential) : null);
        return made != null ? made : overflow;
    }
}
