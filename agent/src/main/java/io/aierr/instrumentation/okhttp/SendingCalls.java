package io.aierr.instrumentation.okhttp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OkHttp calls that carry an attempt of an AI call right now, so that requests an app's own
 * interceptor sends again inside one of them count as attempts of that AI call.
 */
final class SendingCalls {
    private final Map<Object, LogicalCall> byCall = new ConcurrentHashMap<>();

    void started(Object call, LogicalCall logical) {
        byCall.put(call, logical);
    }

    void ended(Object call) {
        byCall.remove(call);
    }

    /** A request of the call that owns {@code chain} goes below the app's interceptors. */
    void sending(Object chain) throws Throwable {
        if (byCall.isEmpty()) {
            return; // no AI call in flight: the common case costs one read
        }
        LogicalCall logical = byCall.get(OkHttpApi.callOf(chain));
        if (logical != null) {
            logical.sentBelowInterceptors();
        }
    }
}
