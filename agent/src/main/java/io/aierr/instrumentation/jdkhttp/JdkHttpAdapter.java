package io.aierr.instrumentation.jdkhttp;

import io.aierr.bootstrap.JdkHttpHook;
import io.aierr.core.retry.Admission;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.Delayed;
import io.aierr.core.retry.ReplayMemory;
import io.aierr.core.TraceScope;
import io.aierr.instrumentation.CallDepth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs AI calls made with {@code java.net.http.HttpClient} through the core: one
 * {@link AiCall} per app call, each attempt sent through the app's own client, waits done with
 * {@code Thread.sleep} for {@code send} and with a delayed executor for {@code sendAsync}.
 */
public final class JdkHttpAdapter implements JdkHttpHook {
    private final AiCalls calls;
    private final ReplayMemory replay;
    private final Consumer<String> warn;

    public JdkHttpAdapter(AiCalls calls, ReplayMemory replay, Consumer<String> warn) {
        this.calls = calls;
        this.replay = replay;
        this.warn = warn;
    }

    @Override
    public Object[] send(Object client, Object request, Object bodyHandler) {
        HttpRequest r = interceptable(request);
        if (r == null) {
            return null;
        }
        AiCall call = begin(r);
        if (call != null) {
            return sendWithRetries((HttpClient) client, r, (BodyHandler<?>) bodyHandler, call);
        }
        TraceScope untraced = calls.ownExportScope(r.uri());
        if (untraced == null) {
            return null;
        }
        try (untraced) {
            return new Object[] {CallDepth.asAgent(() -> ((HttpClient) client).send(r, (BodyHandler<?>) bodyHandler)),
                null};
        } catch (Throwable e) {
            return new Object[] {null, e};
        }
    }

    @Override
    public Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
        HttpRequest r = interceptable(request);
        if (r == null) {
            return null;
        }
        AiCall call = begin(r);
        if (call != null) {
            return new AsyncCall<>((HttpClient) client, r, (BodyHandler<?>) bodyHandler,
                    (PushPromiseHandler) pushPromiseHandler, call).start();
        }
        TraceScope untraced = calls.ownExportScope(r.uri());
        if (untraced == null) {
            return null;
        }
        try (untraced) {
            return CallDepth.asAgent(() -> send((HttpClient) client, r, (BodyHandler) bodyHandler,
                    (PushPromiseHandler) pushPromiseHandler));
        }
    }

    /** The request when the hook may act on it; null for the agent's own attempts. */
    private static HttpRequest interceptable(Object request) {
        return CallDepth.inside() || !(request instanceof HttpRequest) ? null : (HttpRequest) request;
    }

    /** A new AI call for this request, or null when it is not one. */
    private AiCall begin(HttpRequest r) {
        try {
            String provider = calls.providerFor(r.uri());
            if (provider == null) {
                return null;
            }
            return calls.begin(provider, r.method(), r.uri(), JdkRequests.credential(r),
                    JdkRequests.bodyPrefix(r, AiCall.PEEK_LIMIT), JdkRequests.replayable(r), JdkRequests.timeoutMillis(r),
                    r.headers().firstValue(JdkRequests.TRACEPARENT).orElse(null));
        } catch (RuntimeException | LinkageError e) {
            warn.accept("java.net.http call passed through unobserved: " + e);
            return null;
        }
    }

    /**
     * What the attempt begun last sends: a copy of the app's request that carries aierr's
     * traceparent, and the capture of a body the JDK cannot re-create.
     */
    private HttpRequest forAttempt(AttemptRequests requests, AiCall call) {
        try {
            return requests.next(call.traceparent());
        } catch (RuntimeException e) {
            warn.accept("java.net.http request sent as the app made it (no traceparent, no body capture): " + e);
            return requests.original();
        }
    }

    private static <T> CompletableFuture<HttpResponse<T>> send(HttpClient client, HttpRequest request,
                                                               BodyHandler<T> handler, PushPromiseHandler<T> push) {
        return push == null ? client.sendAsync(request, handler) : client.sendAsync(request, handler, push);
    }

    private <T> Object[] sendWithRetries(HttpClient client, HttpRequest request, BodyHandler<T> handler,
                                         AiCall call) {
        AttemptRequests requests = AttemptRequests.of(request, call, replay);
        try {
            return retryLoop(client, request, handler, call, requests);
        } finally {
            requests.release();
        }
    }

    private <T> Object[] retryLoop(HttpClient client, HttpRequest request, BodyHandler<T> handler, AiCall call,
                                   AttemptRequests requests) {
        Admission admission = call.admit();
        if (admission.refusal != null) {
            try {
                return new Object[] {RefusedResponse.of(request, handler, admission.refusal).get(), null};
            } catch (ExecutionException e) {
                return new Object[] {null, e.getCause()};
            } catch (InterruptedException e) {
                return new Object[] {null, e};
            }
        }
        long wait = admission.waitMillis;
        while (true) {
            try {
                if (wait > 0) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                call.aborted(e);
                // the app sees what an interrupted send throws; the flag stays cleared, as the JDK leaves it
                return new Object[] {null, e};
            }
            AttemptHandler<T> attempt = new AttemptHandler<>(handler, call, request);
            call.beginAttempt();
            HttpRequest sent = forAttempt(requests, call);
            HttpResponse<T> response;
            try (TraceScope inApp = call.attemptInAppContext()) {
                response = CallDepth.asAgent(() -> client.send(sent, attempt));
            } catch (Throwable e) {
                HttpResponse<T> bodyFirst = attempt.bodyFirst();
                if (bodyFirst != null) {
                    call.delivered();
                    return new Object[] {bodyFirst, null};
                }
                call.onFailure(e);
                return new Object[] {null, e};
            }
            if (!attempt.discarded()) {
                finish(call, attempt);
                return new Object[] {response, null};
            }
            wait = attempt.decision().delayMillis;
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static void finish(AiCall call, AttemptHandler<?> attempt) {
        if (attempt.decision() == null) {
            call.onSuccess(attempt.status(), attempt.headers());
        } else {
            call.delivered();
        }
    }

    /** One {@code sendAsync} call: chains attempts and waits without blocking any thread. */
    private final class AsyncCall<T> {
        private final HttpClient client;
        private final HttpRequest request;
        private final BodyHandler<T> handler;
        private final PushPromiseHandler<T> push;
        private final AiCall call;
        private final AttemptRequests requests;
        private final Executor executor;
        private final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        private volatile CompletableFuture<HttpResponse<T>> inFlight;

        AsyncCall(HttpClient client, HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> push,
                  AiCall call) {
            this.client = client;
            this.request = request;
            this.handler = handler;
            this.push = push;
            this.call = call;
            this.requests = AttemptRequests.of(request, call, replay);
            // the client's own executor when it has one; otherwise sendAsync is cheap enough to call on the timer thread
            this.executor = client.executor().orElse(Runnable::run);
        }

        CompletableFuture<HttpResponse<T>> start() {
            Admission admission = call.admit();
            if (admission.refusal != null) {
                requests.release();
                return RefusedResponse.of(request, handler, admission.refusal);
            }
            result.whenComplete((response, failure) -> {
                requests.release();
                if (result.isCancelled()) {
                    CompletableFuture<HttpResponse<T>> current = inFlight;
                    if (current != null) {
                        current.cancel(true);
                    }
                    call.aborted(new CancellationException("sendAsync future cancelled"));
                }
            });
            after(admission.waitMillis);
            return result;
        }

        private void attempt() {
            if (result.isDone()) {
                return;
            }
            AttemptHandler<T> attempt = new AttemptHandler<>(handler, call, request);
            call.beginAttempt();
            HttpRequest sent = forAttempt(requests, call);
            CompletableFuture<HttpResponse<T>> future;
            // the app's tracing starts its span for the attempt inside sendAsync, on this thread
            try (TraceScope inApp = call.attemptInAppContext()) {
                future = CallDepth.asAgent(() -> send(client, sent, attempt, push));
            } catch (RuntimeException | Error e) {
                call.onFailure(e);
                result.completeExceptionally(e);
                return;
            }
            inFlight = future;
            future.whenComplete((response, failure) -> {
                HttpResponse<T> bodyFirst = failure == null ? null : attempt.bodyFirst();
                if (bodyFirst != null) {
                    call.delivered();
                    result.complete(bodyFirst);
                } else if (failure != null) {
                    call.onFailure(unwrap(failure));
                    result.completeExceptionally(failure);
                } else if (!attempt.discarded()) {
                    finish(call, attempt);
                    result.complete(response);
                } else {
                    after(attempt.decision().delayMillis);
                }
            });
        }

        private void after(long waitMillis) {
            Delayed.run(waitMillis, executor, this::attempt);
        }
    }
}
