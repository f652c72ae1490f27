package io.aierr.instrumentation.okhttp;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;

import static io.aierr.instrumentation.MethodHook.Kind.FIRST_ARGUMENT;
import static io.aierr.instrumentation.MethodHook.Kind.ON_RETURN;
import static io.aierr.instrumentation.MethodHook.Kind.OUTCOME;

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

    /**
     * {@code execute()} runs the whole call, retries included, in the hook, unless it declines.
     * {@code enqueue} runs with a callback that retries before it tells the app; or, when the call
     * must wait its turn or is answered without sending, it is skipped and the hook dispatches.
     * Cancelling the app's call also stops a wait between attempts and the attempt in flight.
     */
    @Override
    public List<MethodHook> hooks() {
        return List.of(
                MethodHook.of("execute", 0, OUTCOME, "okHttpExecute"),
                MethodHook.of("enqueue", 1, FIRST_ARGUMENT, "okHttpEnqueue"),
                MethodHook.of("cancel", 0, ON_RETURN, "okHttpCancelled"));
    }
}
