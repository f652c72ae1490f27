package io.aierr.instrumentation.apache;

import io.aierr.instrumentation.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.function.IntPredicate;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Keeps HttpClient's own retry of a response from multiplying aierr's attempts. HttpClient 5's
 * {@code DefaultHttpRequestRetryStrategy} retries 429 and 503 by itself (4.5 retries 503 when an
 * app sets {@code DefaultServiceUnavailableRetryStrategy}). aierr's hook is above the retry
 * element of the exec chain, so every aierr attempt passes through it, and 5 aierr attempts could
 * become 10 sends. During an AI call the context carries, under {@link #OWNER_ATTRIBUTE}, which
 * statuses aierr decides on (an {@link IntPredicate}); the strategy then says "do not retry" for
 * those and stays as it was for everything else (other statuses, I/O errors). One app call thus
 * makes at most {@code aierr.retry.max-attempts} sends for the statuses aierr retries.
 */
public final class RetryStrategyInstrumentation implements TypeInstrumentation {
    /** Context attribute: an {@link IntPredicate} telling which response statuses aierr retries. */
    public static final String OWNER_ATTRIBUTE = "io.aierr.retry-owner";

    private final String typeName;
    private final AsmVisitorWrapper advice;

    private RetryStrategyInstrumentation(String typeName, AsmVisitorWrapper advice) {
        this.typeName = typeName;
        this.advice = advice;
    }

    public static TypeInstrumentation[] all() {
        return new TypeInstrumentation[] {
            new RetryStrategyInstrumentation("org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy",
                    Advice.to(Hc5Advice.class).on(named("retryRequest").and(takesArguments(3))
                            .and(takesArgument(0, named("org.apache.hc.core5.http.HttpResponse"))))),
            new RetryStrategyInstrumentation("org.apache.http.impl.client.DefaultServiceUnavailableRetryStrategy",
                    Advice.to(Hc4Advice.class).on(named("retryRequest").and(takesArguments(3)))),
        };
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return advice;
    }

    // Advice signatures use Object: the agent loads these classes where Apache types may not be
    // visible. The casts inside run only where the advice is inlined, beside the Apache classes.

    public static final class Hc5Advice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void leaveToAierr(@Advice.Argument(0) Object response, @Advice.Argument(2) Object context,
                                 @Advice.Return(readOnly = false) boolean retry) {
            if (retry && context != null) {
                Object owner = ((org.apache.hc.core5.http.protocol.HttpContext) context).getAttribute(OWNER_ATTRIBUTE);
                if (owner instanceof IntPredicate && ((IntPredicate) owner).test(
                        ((org.apache.hc.core5.http.HttpResponse) response).getCode())) {
                    retry = false;
                }
            }
        }
    }

    public static final class Hc4Advice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void leaveToAierr(@Advice.Argument(0) Object response, @Advice.Argument(2) Object context,
                                 @Advice.Return(readOnly = false) boolean retry) {
            if (retry && context != null) {
                Object owner = ((org.apache.http.protocol.HttpContext) context).getAttribute(OWNER_ATTRIBUTE);
                if (owner instanceof IntPredicate && ((IntPredicate) owner).test(
                        ((org.apache.http.HttpResponse) response).getStatusLine().getStatusCode())) {
                    retry = false;
                }
            }
        }
    }
}
