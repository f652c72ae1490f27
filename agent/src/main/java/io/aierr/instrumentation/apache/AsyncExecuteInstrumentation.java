package io.aierr.instrumentation.apache;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;

/**
 * Hooks HttpClient 5's async {@code doExecute(target, producer, consumer, pushHandlerFactory,
 * context, callback)}: every {@code execute} overload of {@code CloseableHttpAsyncClient}
 * ({@code SimpleHttpRequest}, producer/consumer pairs, with or without context and callback)
 * reaches it exactly once. Like the classic hook it is above the exec chain, so an aierr attempt is
 * one full client execution.
 */
public final class AsyncExecuteInstrumentation implements TypeInstrumentation {
    private final String typeName;

    private AsyncExecuteInstrumentation(String typeName) {
        this.typeName = typeName;
    }

    /** HttpAsyncClientBuilder's clients (HTTP/1.1 and HTTP/2) and the minimal ones. */
    public static TypeInstrumentation[] all() {
        return new TypeInstrumentation[] {
            new AsyncExecuteInstrumentation("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient"),
            new AsyncExecuteInstrumentation("org.apache.hc.client5.http.impl.async.AbstractMinimalHttpAsyncClientBase"),
        };
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public List<MethodHook> hooks() {
        return List.of(MethodHook.of("doExecute", 6, MethodHook.Kind.REPLACEMENT, "apacheExecuteAsync"));
    }
}
