package io.aierr.tests.apps;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary app that makes OkHttp calls, one client for all of them, and prints what each saw
 * (see {@link AppCall}). Knows nothing of aierr. Compiled against OkHttp 4 and run on 3.14, 4.12 and
 * 5.x, whose JVM signatures for all of this are the same. Options: mode (execute|enqueue|concurrent,
 * the last enqueues every call 300 ms apart before waiting for any), request-body (json|stream|none;
 * stream is a one-shot body), read (bytes|lines), timeout-ms (the call timeout), cancel-when and
 * interrupt-when (a mark of the server's, see {@link Signals}), client (plain|derived), max-requests
 * (dispatcher limit, also per host), attach-after-first-call (agent jar to attach once the first
 * call is done).
 */
public final class OkHttpClientApp {
    private static final MediaType JSON = MediaType.parse("application/json");

    public static void main(String[] args) throws Exception {
        List<AppCall> calls = AppCall.parse(args);
        OkHttpClient client = client(calls.get(0));
        if ("concurrent".equals(calls.get(0).option("mode", "execute"))) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (AppCall call : calls) {
                call.begin();
                done.add(enqueue(client.newCall(request(call)), call));
                Thread.sleep(300);
            }
            for (CompletableFuture<Void> d : done) {
                d.get();
            }
        } else {
            boolean attached = false;
            for (AppCall call : calls) {
                run(client, call);
                call.end(() -> client.connectionPool().connectionCount() - client.connectionPool().idleConnectionCount());
                if (call.has("attach-after-first-call") && !attached) {
                    LateAttachApp.attachSelf(call.option("attach-after-first-call", null));
                    attached = true;
                }
            }
        }
        client.dispatcher().executorService().shutdown();
    }

    private static OkHttpClient client(AppCall first) {
        Dispatcher dispatcher = new Dispatcher();
        if (first.has("max-requests")) {
            dispatcher.setMaxRequests((int) first.number("max-requests"));
            dispatcher.setMaxRequestsPerHost((int) first.number("max-requests"));
        }
        // room for one idle connection per server, so that the pool's own eviction never blurs its counts
        OkHttpClient.Builder builder = new OkHttpClient.Builder().dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(50, 5, TimeUnit.MINUTES));
        if (first.has("timeout-ms")) {
            builder.callTimeout(first.number("timeout-ms"), TimeUnit.MILLISECONDS);
        }
        OkHttpClient client = builder.build();
        if ("derived".equals(first.option("client", "plain"))) {
            // what SDKs do per request: derive a client, then derive again
            client = client.newBuilder().addInterceptor(chain -> chain.proceed(chain.request())).build()
                    .newBuilder().build();
        }
        return client;
    }

    private static Request request(AppCall call) {
        Request.Builder builder = new Request.Builder().url(call.url)
                .header("authorization", "Bearer sk-test-not-a-real-key-123456");
        switch (call.option("request-body", "json")) {
            case "json" -> builder.post(RequestBody.create(JSON, AppCall.CHAT_REQUEST));
            case "stream" -> builder.post(new OneShotBody());
            default -> builder.get();
        }
        return builder.build();
    }

    private static void run(OkHttpClient client, AppCall call) throws Exception {
        Call okCall = client.newCall(request(call));
        if (call.has("cancel-when")) {
            Signals.whenSignalled(call.signals(), call.option("cancel-when", null), okCall::cancel);
        }
        call.begin();
        if ("enqueue".equals(call.option("mode", "execute"))) {
            enqueue(okCall, call).get();
            return;
        }
        try (Response response = okCall.execute()) {
            show(call, response);
        } catch (Exception e) {
            call.failed(e);
        }
    }

    private static CompletableFuture<Void> enqueue(Call okCall, AppCall call) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        okCall.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                call.failed(e);
                call.print("same-call", c == okCall);
                done.complete(null);
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    show(call, response);
                    call.print("same-call", c == okCall);
                    call.print("callback-thread", Thread.currentThread().getName());
                } catch (Exception e) {
                    call.failed(e);
                }
                done.complete(null);
            }
        });
        return done;
    }

    private static void show(AppCall call, Response response) throws IOException {
        call.status(response.code(), response.header("x-last"));
        call.print("x-should-retry", response.header("x-should-retry"));
        call.body(call.read(response.body().byteStream()));
        call.print("done.ms", call.elapsedMillis());
    }

    /** A body OkHttp must not write twice (an upload streamed from somewhere). */
    private static final class OneShotBody extends RequestBody {
        @Override
        public MediaType contentType() {
            return JSON;
        }

        @Override
        public boolean isOneShot() {
            return true;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(AppCall.CHAT_REQUEST);
        }
    }
}
