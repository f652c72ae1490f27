package io.aierr.instrumentation;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Exit advice for hooks whose enter advice runs the whole call in the agent and skips the original
 * method when it did: the app's call then returns (or throws) what the hook produced.
 */
public final class HookExits {
    private HookExits() {
    }

    /** For an enter advice that returns {@code {response, throwable}}, or null to let the original run. */
    public static final class Outcome {
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void returnOutcome(@Advice.Enter Object[] outcome,
                                  @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object response,
                                  @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (outcome != null) {
                response = outcome[0];
                thrown = (Throwable) outcome[1];
            }
        }
    }

    /** For an enter advice that returns what the method returns (a future), or null to let the original run. */
    public static final class Replacement {
        @Advice.OnMethodExit
        static void returnReplacement(@Advice.Enter Object replacement,
                                      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            if (replacement != null) {
                returned = replacement;
            }
        }
    }
}
