package io.aierr.instrumentation.apache;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;
import java.util.function.IntPredicate;

/**
 * Keeps HttpClient's own retry of a response from multiplying aierr's attempts. HttpClient 5's
 * {@code DefaultHttpRequestRetryStrategy} retries 429 and 503 by itself (4.5 retries 503 when an
 * app sets {@code DefaultServiceUnavailableRetryStrategy}). aierr's hook is above the retry
 * element of the exec chain, so every aierr attempt passes through it, and 5 aierr attempts could
 * become 10 sends. During an AI call the context carries, under {@link #OWNER_ATTRIBUTE}, which
 * statuses aierr decides on (an {@link IntPredicate}); the strategy then says "do not retry" for
 * those and stays as it was for everything else (other statuses, I/O errors, which another
 * {@code retryRequest} overload decides). One app call thus makes at most
 * {@code aierr.retry.max-attempts} sends for the statuses aierr retries.
 */
public final class RetryStrategyInstrumentation implements TypeInstrumentation {
    /** Context attribute: an {@link IntPredicate} telling which response statuses aierr retries. */
    public static final String OWNER_ATTRIBUTE = "io.aierr.retry-owner";

    private final String typeName;
    private final String responseType;

    private RetryStrategyInstrumentation(String typeName, String responseType) {
        this.typeName = typeName;
        this.responseType = responseType;
    }

    public static TypeInstrumentation[] all() {
        return new TypeInstrumentation[] {
            new RetryStrategyInstrumentation("org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy",
                    "org.apache.hc.core5.http.HttpResponse"),
            new RetryStrategyInstrumentation("org.apache.http.impl.client.DefaultServiceUnavailableRetryStrategy",
                    "org.apache.http.HttpResponse"),
        };
    }

    @Override
    public String typeName() {
        return typeName;
    }

    /** {@code retryRequest(response, execCount, context)}: answers false when aierr decides on the response. */
    @Override
    public List<MethodHook> hooks() {
        return List.of(MethodHook.of("retryRequest", 3, responseType, MethodHook.Kind.SKIP, "apacheLeavesRetryToAierr"));
    }
}
