package io.aierr.instrumentation.jdkhttp;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.bootstrap.JdkHttpHook;
import io.aierr.instrumentation.HookExits;
import io.aierr.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Hooks {@code java.net.http.HttpClient} at {@code HttpClientFacade}, the object the app holds.
 * Its public {@code send}/{@code sendAsync} see each app call exactly once (the implementation
 * funnels them through one private method), and holding the facade during a retry wait keeps
 * the client alive even when the app dropped its own reference.
 */
public final class HttpClientFacadeInstrumentation implements TypeInstrumentation {
    @Override
    public String typeName() {
        return "jdk.internal.net.http.HttpClientFacade";
    }

    @Override
    public AsmVisitorWrapper advice() {
        return new AsmVisitorWrapper.Compound(
                Advice.to(SendAdvice.class, HookExits.Outcome.class)
                        .on(named("send").and(isPublic()).and(takesArguments(2))),
                Advice.to(SendAsyncAdvice.class, HookExits.Replacement.class)
                        .on(named("sendAsync").and(isPublic()).and(takesArguments(2))),
                Advice.to(SendAsyncWithPushAdvice.class, HookExits.Replacement.class)
                        .on(named("sendAsync").and(isPublic()).and(takesArguments(3))));
    }

    /** Runs the whole call, retries included, in the hook; the original body runs when the hook declines. */
    public static final class SendAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Object[] interceptSend(@Advice.This Object client, @Advice.Argument(0) Object request,
                                      @Advice.Argument(1) Object handler) {
            JdkHttpHook hook = AierrHooks.jdkHttp;
            return hook == null ? null : hook.send(client, request, handler);
        }
    }

    public static final class SendAsyncAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Object interceptSendAsync(@Advice.This Object client, @Advice.Argument(0) Object request,
                                         @Advice.Argument(1) Object handler) {
            JdkHttpHook hook = AierrHooks.jdkHttp;
            return hook == null ? null : hook.sendAsync(client, request, handler, null);
        }
    }

    public static final class SendAsyncWithPushAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Object interceptSendAsync(@Advice.This Object client, @Advice.Argument(0) Object request,
                                         @Advice.Argument(1) Object handler, @Advice.Argument(2) Object push) {
            JdkHttpHook hook = AierrHooks.jdkHttp;
            return hook == null ? null : hook.sendAsync(client, request, handler, push);
        }
    }
}
