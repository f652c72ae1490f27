package io.aierr.instrumentation.apache;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.bootstrap.ApacheHttpHook;
import io.aierr.instrumentation.HookExits;
import io.aierr.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

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
    public AsmVisitorWrapper advice() {
        return Advice.to(DoExecuteAdvice.class, HookExits.Replacement.class).on(named("doExecute").and(takesArguments(6)));
    }

    public static final class DoExecuteAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Object interceptExecute(@Advice.This Object client, @Advice.Argument(0) Object target,
                                       @Advice.Argument(1) Object producer, @Advice.Argument(2) Object consumer,
                                       @Advice.Argument(3) Object pushHandlerFactory,
                                       @Advice.Argument(4) Object context, @Advice.Argument(5) Object callback) {
            ApacheHttpHook hook = AierrHooks.apacheHttp;
            return hook == null ? null
                    : hook.executeAsync(client, target, producer, consumer, pushHandlerFactory, context, callback);
        }
    }
}
