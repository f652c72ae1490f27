package io.aierr.instrumentation.apache;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;

/**
 * Hooks a classic client's {@code doExecute(HttpHost, request, HttpContext)}. Every public
 * {@code execute} overload of {@code CloseableHttpClient} (4.5 and 5.x, with or without a response
 * handler) funnels into it exactly once, and response handlers run on what it returns, so they see
 * only the final response. It sits above the client's whole exec chain: each aierr attempt is one
 * complete client execution (redirects, auth, its own I/O retries), and the client's own retry of
 * a response is held back by {@link RetryStrategyInstrumentation}.
 */
public final class ClassicExecuteInstrumentation implements TypeInstrumentation {
    private final String typeName;

    private ClassicExecuteInstrumentation(String typeName) {
        this.typeName = typeName;
    }

    /**
     * HttpClientBuilder's clients and 4.5's HttpClients.createMinimal(). HttpClient 5's minimal
     * classic client is left alone: it runs its protocol interceptors on the app's request object
     * itself (the others work on a copy), so that request cannot be sent a second time.
     */
    public static TypeInstrumentation[] all() {
        return new TypeInstrumentation[] {
            new ClassicExecuteInstrumentation("org.apache.http.impl.client.InternalHttpClient"),
            new ClassicExecuteInstrumentation("org.apache.http.impl.client.MinimalHttpClient"),
            new ClassicExecuteInstrumentation("org.apache.hc.client5.http.impl.classic.InternalHttpClient"),
        };
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public List<MethodHook> hooks() {
        return List.of(MethodHook.of("doExecute", 3, MethodHook.Kind.OUTCOME, "apacheExecute"));
    }
}
