package io.aierr.instrumentation.okhttp;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.bootstrap.OkHttpHook;
import io.aierr.instrumentation.HookExits;
import io.aierr.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Hooks OkHttp at {@code RealCall}, the one {@code Call} implementation, rather than adding an
 * interceptor when a client is built. Every call of every client passes here exactly once: clients
 * built before the agent started (late attach), {@code newBuilder()} clones (the OpenAI SDK builds
 * one per request) and clients whose interceptor lists the app rebuilt, with nothing to de-duplicate.
 * A call is also where retries can be scheduled without holding a dispatcher thread, which an
 * interceptor cannot do. The class is {@code okhttp3.RealCall} in 3.x and
 * {@code okhttp3.internal.connection.RealCall} in 4.x and 5.x; the methods are the same.
 */
public final class RealCallInstrumentation implements TypeInstrumentation {
    public static final String OKHTTP_3 = "okhttp3.RealCall";
    public static final String OKHTTP_4_AND_5 = "okhttp3.internal.connection.RealCall";

    private final String typeName;

    public RealCallInstrumentation(String typeName) {
        this.typeName = typeName;
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return new AsmVisitorWrapper.Compound(
                Advice.to(ExecuteAdvice.class, HookExits.Outcome.class).on(named("execute").and(isPublic()).and(takesArguments(0))),
                Advice.to(EnqueueAdvice.class).on(named("enqueue").and(isPublic()).and(takesArguments(1))),
                Advice.to(CancelAdvice.class).on(named("cancel").and(isPublic()).and(takesArguments(0))));
    }

    /**
     * Runs the whole call, retries included, in the hook; the original body runs when the hook
     * declines. {@link HookExits.Outcome} hands the app what the hook got.
     */
    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static Object[] interceptExecute(@Advice.This Object call) {
            OkHttpHook hook = AierrHooks.okHttp;
            return hook == null ? null : hook.execute(call);
        }

    }

    /**
     * The original enqueue runs with a callback that retries before it tells the app; or, when the
     * call must wait its turn or is answered without sending, it is skipped and the hook dispatches.
     */
    public static final class EnqueueAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean wrapCallback(@Advice.This Object call,
                                    @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC)
                                    Object callback) {
            OkHttpHook hook = AierrHooks.okHttp;
            if (hook == null) {
                return false;
            }
            Object replacement = hook.enqueue(call, callback);
            if (replacement == null) {
                return true;
            }
            callback = replacement;
            return false;
        }
    }

    /** Cancelling the app's call also stops a wait between attempts and the attempt in flight. */
    public static final class CancelAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void stopRetries(@Advice.This Object call) {
            OkHttpHook hook = AierrHooks.okHttp;
            if (hook != null) {
                hook.cancelled(call);
            }
        }
    }
}
