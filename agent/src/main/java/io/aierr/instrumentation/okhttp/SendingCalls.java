package io.aierr.instrumentation.okhttp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OkHttp calls that carry an attempt of an AI call right now, so that requests an app's own
 * interceptor sends again inside one of them count as attempts of that AI call. One for all the
 * helpers: the helper that sees a request go out serves the interceptor chain's class, not the call's.
 */
public final class SendingCalls {
    private final Map<Object, Runnable> onSentByCall = new ConcurrentHashMap<>();

    /** {@code call} carries an attempt; {@code onSent} hears of each request it sends. */
    public void started(Object call, Runnable onSent) {
        onSentByCall.put(call, onSent);
    }

    public void ended(Object call) {
        onSentByCall.remove(call);
    }

    /** False while no AI call is in flight: the common case costs one read. */
    boolean any() {
        return !onSentByCall.isEmpty();
    }

    /** A request of {@code call} goes below the app's interceptors. */
    public void sent(Object call) {
        Runnable onSent = onSentByCall.get(call);
        if (onSent != null) {
            onSent.run();
        }
    }
}
