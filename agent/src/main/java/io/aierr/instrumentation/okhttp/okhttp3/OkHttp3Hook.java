package io.aierr.instrumentation.okhttp.okhttp3;

import io.aierr.bootstrap.OkHttpHook;
import io.aierr.core.retry.Admission;
import io.aierr.core.retry.AiCall;
import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.AsyncRetries;
import io.aierr.core.retry.RequestBodyPrefix;
import io.aierr.instrumentation.BlockingCalls;
import io.aierr.instrumentation.okhttp.SendingCalls;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * OkHttp's helper entry, defined in the class loader of each OkHttp copy: one {@link AiCall} per app
 * call, {@code execute()} retried on the caller's thread, {@code enqueue()} retried through a callback
 * without holding a dispatcher thread during waits. Compiled against OkHttp 4.12, it runs on 3.14 and
 * 5.x as well: Kotlin's {@code @JvmName} keeps {@code code()}, {@code body()}, {@code headers()}... as
 * they were in Java, and this package calls nothing whose JVM signature differs between them.
 */
public final class OkHttp3Hook implements OkHttpHook {
    private final AiCalls calls;
    private final Consumer<String> warn;
    private final SendingCalls sending;
    /** AI calls between their first attempt and their answer, so that {@code cancel()} can reach them. */
    private final Map<Call, Runnable> cancellers = new ConcurrentHashMap<>();

    public OkHttp3Hook(AiCalls calls, Consumer<String> warn, SendingCalls sending) {
        this.calls = calls;
        this.warn = warn;
        this.sending = sending;
    }

    @Override
    public Object[] execute(Object appCall) {
        Call app = (Call) appCall;
        AiCall call = begin(app);
        if (call == null) {
            return null;
        }
        ExecutedCall executed = new ExecutedCall(app, call, warn, sending);
        cancellers.put(app, executed::cancel);
        try {
            return BlockingCalls.run(call, executed);
        } finally {
            cancellers.remove(app);
        }
    }

    @Override
    public Object enqueue(Object appCall, Object appCallback) {
        Call app = (Call) appCall;
        AiCall call = begin(app);
        if (call == null) {
            return appCallback;
        }
        EnqueuedCall enqueued = new EnqueuedCall(app, call, warn, sending, (Callback) appCallback,
                () -> cancellers.remove(app));
        AsyncRetries<Response> retries = new AsyncRetries<>(call, enqueued);
        cancellers.put(app, retries::cancel);
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
        sending.sent(((Interceptor.Chain) chain).call());
    }

    @Override
    public void cancelled(Object call) {
        Runnable canceller = cancellers.get(call);
        if (canceller != null) {
            canceller.run();
        }
    }

    /** A new AI call for this app call, or null when it is not one. */
    private AiCall begin(Call app) {
        try {
            Request request = app.request();
            HttpUrl url = request.url();
            String provider = calls.providerFor(url.host(), url.port());
            // a WebSocket handshake: its 101 and the frames after it are not the request-response aierr knows
            if (provider == null || app.isExecuted() || "websocket".equalsIgnoreCase(request.header("Upgrade"))) {
                return null;
            }
            return calls.begin(provider, request.method(), uriOf(url), AiCalls.credential(request::header),
                    bodyPrefix(request.body()), replayable(request.body()), timeoutMillis(app),
                    request.header("traceparent"));
        } catch (RuntimeException | LinkageError e) {
            warn.accept("OkHttp call passed through unobserved: " + e);
            return null;
        }
    }

    /**
     * OkHttp's own {@code uri()} re-encodes the whole URL with regular expressions first, which only
     * a URL with characters a URI rejects needs: the canonical form is parsed as it is when it can be.
     */
    private static URI uriOf(HttpUrl url) {
        try {
            return new URI(url.toString());
        } catch (URISyntaxException e) {
            return url.uri();
        }
    }

    /** No body, or one that OkHttp itself may write more than once. */
    private static boolean replayable(RequestBody body) {
        return body == null || !(body.isOneShot() || body.isDuplex());
    }

    /** The first bytes of a replayable body of known, modest length, written once more; else null. */
    private static byte[] bodyPrefix(RequestBody body) {
        if (body == null) {
            return null;
        }
        try {
            return RequestBodyPrefix.of(replayable(body), body.contentLength(), out -> {
                BufferedSink sink = Okio.buffer(Okio.sink(out));
                body.writeTo(sink);
                sink.flush();
            });
        } catch (IOException | RuntimeException e) {
            return null; // the model stays unnamed; the call itself is unaffected
        }
    }

    /** The call timeout ({@code callTimeout} of the client, or the app's own), 0 when none. */
    private static long timeoutMillis(Call app) {
        long nanos = app.timeout().timeoutNanos();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
