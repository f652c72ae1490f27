package io.aierr.instrumentation.okhttp;

import io.aierr.bootstrap.OkHttpHook;
import io.aierr.core.retry.Admission;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.TraceScope;
import io.aierr.instrumentation.CallDepth;

import java.io.IOException;
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
        LogicalCall logical = begin(appCall);
        if (logical == null) {
            return null;
        }
        cancellers.put(appCall, logical::cancel);
        try {
            return executeWithRetries(logical);
        } finally {
            cancellers.remove(appCall);
        }
    }

    @Override
    public Object enqueue(Object appCall, Object appCallback) {
        LogicalCall logical = begin(appCall);
        if (logical == null) {
            return appCallback;
        }
        Admission admission = logical.call.admit();
        if (admission.refusal != null) {
            Object answer = logical.answer(admission.refusal);
            if (answer == null) {
                return appCallback;
            }
            // OkHttp calls back on a dispatcher thread, never inside enqueue: so does aierr
            logical.api.callbackExecutor(appCall).execute(() -> {
                try {
                    logical.api.onResponse(appCallback, appCall, answer);
                } catch (Throwable appFailure) {
                    // the app's callback threw on a dispatcher thread, where OkHttp would not catch it either
                }
            });
            return null;
        }
        RetryingCallback retrying = new RetryingCallback(logical, appCallback, sending,
                () -> cancellers.remove(appCall));
        sending.started(appCall, logical);
        cancellers.put(appCall, retrying::cancel);
        if (admission.waitMillis <= 0) {
            logical.call.beginAttempt();
            // OkHttp's own enqueue sends this first attempt once the hook returned: outside aierr's attempt
            // context, so the app's tracing sees it under the app's span (retries are enqueued inside it)
            return retrying.callback();
        }
        retrying.sendFirstAfter(admission.waitMillis);
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

    private Object[] executeWithRetries(LogicalCall logical) {
        Object attempt = logical.appCall;
        Admission admission = logical.call.admit();
        if (admission.refusal != null) {
            Object answer = logical.answer(admission.refusal);
            return answer == null ? null : new Object[] {answer, null};
        }
        try {
            logical.await(admission.waitMillis);
        } catch (IOException e) {
            logical.call.aborted(e);
            return new Object[] {null, e};
        }
        logical.call.beginAttempt();
        while (true) {
            Object response;
            Object current = attempt;
            sending.started(current, logical);
            try (TraceScope inApp = logical.call.attemptInAppContext()) {
                response = CallDepth.asAgent(() -> logical.api.execute(current));
            } catch (Throwable e) {
                logical.failed(e);
                return new Object[] {null, e};
            } finally {
                sending.ended(current);
            }
            Object delivered = logical.judge(response);
            if (delivered != null) {
                return new Object[] {delivered, null};
            }
            try {
                logical.await(logical.retryDelayMillis());
                attempt = logical.nextCall();
            } catch (Throwable e) {
                IOException failure = LogicalCall.noNextAttempt(e);
                logical.call.aborted(failure);
                return new Object[] {null, failure};
            }
        }
    }

    /** A new logical call for this app call, or null when it is not an AI call or is the agent's own attempt. */
    private LogicalCall begin(Object appCall) {
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
            return new LogicalCall(api, appCall, request, call, warn);
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
