package io.aierr.tests.apps;

import io.aierr.tests.support.Bodies;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary app that makes OkHttp calls and prints what it saw as {@code name.key=value} lines.
 * Knows nothing of aierr. Compiled against OkHttp 4 and run on 3.14, 4.12 and 5.x, whose JVM
 * signatures for all of this are the same. Arguments are {@code key=value}:
 * {@code call=name url} (repeatable, run in order), mode (execute|enqueue|concurrent),
 * request-body (json|one-shot|none), call-timeout-ms, cancel-after-ms, interrupt-after-ms,
 * client (plain|clone), max-requests (dispatcher limit, also per host), attach-after-first-call (agent jar).
 */
public final class OkHttpClientApp {
    private static final String JSON = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final MediaType JSON_TYPE = MediaType.parse("application/json");

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        List<String[]> calls = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (a.startsWith("call=")) {
                calls.add(a.substring(eq + 1).split(" ", 2));
            } else {
                o.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        OkHttpClient client = client(o);
        long start = System.nanoTime();
        String mode = o.getOrDefault("mode", "execute");
        if ("concurrent".equals(mode)) {
            List<CompletableFuture<String>> done = new ArrayList<>();
            for (String[] call : calls) {
                done.add(enqueue(client.newCall(request(call[1], o)), call[0], start));
                Thread.sleep(300);
            }
            for (CompletableFuture<String> d : done) {
                System.out.print(d.get());
            }
        } else {
            for (String[] call : calls) {
                System.out.print(run(client, call[0], request(call[1], o), mode, o, start));
                System.out.println(call[0] + ".pool=" + client.connectionPool().connectionCount() + " connections, "
                        + client.connectionPool().idleConnectionCount() + " idle");
                if (o.containsKey("attach-after-first-call")) {
                    LateAttachApp.attachSelf(o.remove("attach-after-first-call"));
                }
            }
        }
        System.out.println("pool.connections=" + client.connectionPool().connectionCount());
        System.out.println("pool.idle=" + client.connectionPool().idleConnectionCount());
        client.dispatcher().executorService().shutdown();
    }

    private static OkHttpClient client(Map<String, String> o) {
        Dispatcher dispatcher = new Dispatcher();
        if (o.containsKey("max-requests")) {
            dispatcher.setMaxRequests(Integer.parseInt(o.get("max-requests")));
            dispatcher.setMaxRequestsPerHost(Integer.parseInt(o.get("max-requests")));
        }
        // room for one idle connection per server, so that the pool's own eviction never blurs its counts
        OkHttpClient.Builder builder = new OkHttpClient.Builder().dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(50, 5, TimeUnit.MINUTES));
        if (o.containsKey("call-timeout-ms")) {
            builder.callTimeout(Long.parseLong(o.get("call-timeout-ms")), TimeUnit.MILLISECONDS);
        }
        OkHttpClient client = builder.build();
        if ("clone".equals(o.get("client"))) {
            // what SDKs do per request: derive a client, then derive again
            client = client.newBuilder().addInterceptor(chain -> chain.proceed(chain.request())).build()
                    .newBuilder().build();
        }
        return client;
    }

    private static Request request(String url, Map<String, String> o) {
        Request.Builder builder = new Request.Builder().url(url)
                .header("authorization", "Bearer sk-test-not-a-real-key-123456");
        switch (o.getOrDefault("request-body", "json")) {
            case "json" -> builder.post(RequestBody.create(JSON_TYPE, JSON));
            case "one-shot" -> builder.post(new OneShotBody());
            default -> builder.get();
        }
        return builder.build();
    }

    private static String run(OkHttpClient client, String name, Request request, String mode, Map<String, String> o,
                              long start) throws Exception {
        Call call = client.newCall(request);
        Thread caller = Thread.currentThread();
        if (o.containsKey("cancel-after-ms")) {
            later(Long.parseLong(o.get("cancel-after-ms")), call::cancel);
        }
        if (o.containsKey("interrupt-after-ms")) {
            later(Long.parseLong(o.get("interrupt-after-ms")), caller::interrupt);
        }
        if ("enqueue".equals(mode)) {
            try {
                return enqueue(call, name, start).get();
            } catch (ExecutionException e) {
                return failure(name, e.getCause(), start);
            }
        }
        try (Response response = call.execute()) {
            return describe(name, response, start);
        } catch (Exception e) {
            return failure(name, e, start) + name + ".interrupted.flag=" + Thread.interrupted() + "\n";
        }
    }

    private static CompletableFuture<String> enqueue(Call call, String name, long start) {
        CompletableFuture<String> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                result.complete(failure(name, e, start) + name + ".same-call=" + (c == call) + "\n");
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    result.complete(describe(name, response, start) + name + ".same-call=" + (c == call) + "\n"
                            + name + ".callback-thread=" + Thread.currentThread().getName() + "\n");
                } catch (Exception e) {
                    result.complete(failure(name, e, start));
                }
            }
        });
        return result;
    }

    /** Reads the body as it arrives, noting when its first and last bytes came. */
    private static String describe(String name, Response response, long start) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(name).append(".status=").append(response.code()).append('\n');
        out.append(name).append(".x-should-retry=").append(response.header("x-should-retry")).append('\n');
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        long firstByte = -1;
        try (InputStream in = response.body().byteStream()) {
            for (int n; (n = in.read(chunk)) != -1; ) {
                if (firstByte < 0) {
                    firstByte = millisSince(start);
                }
                body.write(chunk, 0, n);
            }
        }
        byte[] bytes = body.toByteArray();
        out.append(name).append(".first-byte.ms=").append(firstByte).append('\n');
        out.append(name).append(".last-byte.ms=").append(millisSince(start)).append('\n');
        out.append(name).append(".body.length=").append(bytes.length).append('\n');
        out.append(name).append(".body.sha256=").append(Bodies.sha256(bytes)).append('\n');
        if (bytes.length <= 4096) {
            out.append(name).append(".body=").append(new String(bytes, StandardCharsets.UTF_8).replace("\n", "\\n"))
                    .append('\n');
        }
        return out.toString();
    }

    private static String failure(String name, Throwable e, long start) {
        return name + ".exception=" + e.getClass().getName() + ": " + e.getMessage() + "\n"
                + name + ".elapsed.ms=" + millisSince(start) + "\n";
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void later(long millis, Runnable action) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            action.run();
        });
        t.setDaemon(true);
        t.start();
    }

    /** A body OkHttp must not write twice (an upload streamed from somewhere). */
    private static final class OneShotBody extends RequestBody {
        @Override
        public MediaType contentType() {
            return JSON_TYPE;
        }

        @Override
        public boolean isOneShot() {
            return true;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(JSON);
        }
    }
}
