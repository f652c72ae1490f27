package io.aierr.instrumentation;

import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.BlockingRetries;

/** Runs a blocking AI call through the core's loop, for a hook that returns its outcome. */
public final class BlockingCalls {
    private BlockingCalls() {
    }

    /**
     * Runs the call's attempts; returns the hook's outcome {@code {response, throwable}}, or null when
     * aierr refused the call but the client could not make the refusal's answer: the app's call then
     * goes out as the app made it.
     */
    public static Object[] run(AiCall call, BlockingRetries.Exchange<?, ?> exchange) {
        try {
            Object response = BlockingRetries.run(call, exchange);
            return response == null ? null : new Object[] {response, null};
        } catch (Exception | Error e) {
            return new Object[] {null, e};
        }
    }
}
