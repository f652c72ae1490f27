package io.aierr.instrumentation.okhttp;

import io.aierr.bootstrap.OkHttpHook;
import io.aierr.core.retry.Admission;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.instrumentation.BlockingCalls;
import io.aierr.instrumentation.CallDepth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs AI calls made with OkHttp (3.14, 4.x, 5.x) through the core: one {@link AiCall} per app
 * call, {@code execute()} retried on the caller's thread, {@code enqueue()} retried through a
 * callback without holding a dispatcher thread during waits.
 */
public final class OkHttpAdapter implements OkHttpHook {
    private final AiCalls calls;
    private final Consumer<String> warn;
    /** AI calls between their first attempt and their answer, so that {@code cancel()} can reach them. */
    private final Map<Object, Runnable> cancellers = new ConcurrentHashMap<>();
    private final SendingCalls sending = new SendingCalls();

    public OkHttpAdapter(AiCalls calls, Consumer<String> warn) {
        this.calls = calls;
        this.warn = warn;
    }

    @Override
    public Object[] execute(Object appCall) {
        Begun begun = begin(appCall);
        if (begun == null) {
            return null;
        }
        ExecutedCall executed = new ExecutedCall(begun.api, appCall, begun.request, begun.call, warn, sending);
        cancellers.put(appCall, executed::cancel);
        try {
            return BlockingCalls.run(begun.call, executed);
        } finally {
            cancellers.remove(appCall);
        }
    }

    @Override
    public Object enqueue(Object appCall, Object appCallback) {
        Begun begun = begin(appCall);
        if (begun == null) {
            return appCallback;
        }
        EnqueuedCall enqueued = new EnqueuedCall(begun.api, appCall, begun.request, begun.call, warn, appCallback,
                sending, () -> cancellers.remove(appCall));
        AsyncRetries<Object> retries = new AsyncRetries<>(begun.call, enqueued);
        cancellers.put(appCall, retries::cancel);
        Admission admission = retries.admit();
        if (admission.refusal == null && admission.waitMillis <= 0) {
            return enqueued.sentByOkHttp(retries.sentByClient());
        }
        // sent after its turn, holding neither a thread nor a dispatcher slot meanwhile; or answered without sending
        retries.proceed(admission);
        return null;
    }

    @Override
    public void sending(Object chain) {
        try {
            sending.sending(chain);
        } catch (Throwable e) {
            warn.accept("OkHttp request not counted: " + e);
        }
    }

    @Override
    public void cancelled(Object call) {
        Runnable canceller = cancellers.get(call);
        if (canceller != null) {
            canceller.run();
        }
    }

    /** What every AI call starts from: its client's API, the app's request, and the core's call. */
    private static final class Begun {
        final OkHttpApi api;
        final Object request;
        final AiCall call;

        Begun(OkHttpApi api, Object request, AiCall call) {
            this.api = api;
            this.request = request;
            this.call = call;
        }
    }

    /** A new AI call for this app call, or null when it is not an AI call or is the agent's own attempt. */
    private Begun begin(Object appCall) {
        if (CallDepth.inside()) {
            return null;
        }
        try {
            OkHttpApi api = OkHttpApi.of(appCall);
            Object request = api.request(appCall);
            Object url = api.url(request);
            String provider = calls.providerFor(api.host(url), api.port(url));
            if (provider == null || api.isExecuted(appCall) || api.isWebSocket(request)) {
                return null;
            }
            AiCall call = calls.begin(provider, api.method(request), api.uri(url), api.credential(request),
                    bodyPrefix(api, request), api.replayable(request), api.timeoutMillis(appCall),
                    api.header(request, "traceparent"));
            return new Begun(api, request, call);
        } catch (Throwable e) {
            warn.accept("OkHttp call passed through unobserved: " + e);
            return null;
        }
    }

    private byte[] bodyPrefix(OkHttpApi api, Object request) {
        try {
            return api.bodyPrefix(request);
        } catch (Throwable e) {
            // the model stays unnamed; the call itself is unaffected
            return null;
        }
    }
}
