package io.aierr.instrumentation.okhttp;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.bootstrap.OkHttpHook;
import io.aierr.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Counts the requests an app's own <em>application interceptor</em> sends inside one call. Such an
 * interceptor (an SDK's retry loop, like Google Gen AI's) calls {@code chain.proceed} again within
 * the {@code execute()} that aierr wraps, so aierr would see one attempt where the server saw five.
 * {@code RetryAndFollowUpInterceptor} is OkHttp's first own interceptor, right below the app's
 * ones, and is entered once per proceed, in 3.x, 4.x and 5.x under the same name.
 */
public final class RetryAndFollowUpInstrumentation implements TypeInstrumentation {
    @Override
    public String typeName() {
        return "okhttp3.internal.http.RetryAndFollowUpInterceptor";
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(InterceptAdvice.class).on(named("intercept").and(takesArguments(1)));
    }

    public static final class InterceptAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void countSend(@Advice.Argument(0) Object chain) {
            OkHttpHook hook = AierrHooks.okHttp;
            if (hook != null) {
                hook.sending(chain);
            }
        }
    }
}
