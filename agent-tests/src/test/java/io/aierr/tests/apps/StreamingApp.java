package io.aierr.tests.apps;

import okhttp3.Call;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * An app that asks for a streamed chat answer and prints what reached it (see {@link AppCall}):
 * {@code body} (the bytes, newlines as {@code \n}) and {@code body.sha256} for raw clients, the
 * concatenated deltas as {@code content} for SDKs, {@code first-byte.ms} (from the call to its first
 * byte or delta, then its {@code first-line} mark), or the exception. Knows nothing of aierr. Option client: jdk-lines (send, ofLines),
 * jdk-stream (send, ofInputStream), jdk-async (sendAsync, ofInputStream), okhttp-execute,
 * okhttp-enqueue (a streaming read in the callback), okhttp-sse (okhttp-sse's {@code EventSource}, its
 * events written back in the form the tests' servers send them: {@code event: } and {@code data: }
 * lines, a blank line after each), hc5-async (HttpClient 5 async with a streaming
 * consumer); the SDKs are {@link SdkStreamingApp}'s.
 */
public final class StreamingApp {
    private static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            call.begin();
            try {
                switch (call.option("client", "jdk-lines")) {
                    case "jdk-lines" -> jdkLines(call);
                    case "jdk-stream" -> jdkStream(call, false);
                    case "jdk-async" -> jdkStream(call, true);
                    case "okhttp-execute" -> okHttp(call, false);
                    case "okhttp-enqueue" -> okHttp(call, true);
                    case "okhttp-sse" -> okHttpSse(call);
                    case "hc5-async" -> hc5Async(call);
                    default -> throw new IllegalArgumentException(call.option("client", ""));
                }
            } catch (Exception e) {
                call.failed(e);
            }
        }
    }

    private static HttpRequest jdkRequest(AppCall call) {
        return HttpRequest.newBuilder(URI.create(call.url)).header("content-type", "application/json")
                .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                .POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build();
    }

    private static void jdkLines(AppCall call) throws Exception {
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .send(jdkRequest(call), HttpResponse.BodyHandlers.ofLines());
        call.print("status", response.statusCode());
        StringBuilder all = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (all.length() == 0) {
                    call.firstByte();
                }
                all.append(line).append('\n');
            }
        }
        show(call, all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void jdkStream(AppCall call, boolean async) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = async
                ? client.sendAsync(jdkRequest(call), HttpResponse.BodyHandlers.ofInputStream()).get()
                : client.send(jdkRequest(call), HttpResponse.BodyHandlers.ofInputStream());
        call.print("status", response.statusCode());
        try (InputStream in = response.body()) {
            show(call, read(in, call));
        }
    }

    private static Request okHttpRequest(AppCall call) {
        return new Request.Builder().url(call.url)
                .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                .post(RequestBody.create(MediaType.parse("application/json"), REQUEST)).build();
    }

    private static void okHttp(AppCall call, boolean enqueue) throws Exception {
        OkHttpClient client = new OkHttpClient();
        Request request = okHttpRequest(call);
        if (!enqueue) {
            try (Response response = client.newCall(request).execute()) {
                call.print("status", response.code());
                show(call, read(response.body().byteStream(), call));
            }
        } else {
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.newCall(request).enqueue(new Callback() {
                @Override
                public void onFailure(Call c, IOException e) {
                    call.failed(e);
                    done.complete(null);
                }

                @Override
                public void onResponse(Call c, Response response) {
                    try (response) {
                        call.print("status", response.code());
                        show(call, read(response.body().byteStream(), call));
                    } catch (Exception e) {
                        call.failed(e);
                    }
                    done.complete(null);
                }
            });
            done.get();
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static void okHttpSse(AppCall call) throws Exception {
        OkHttpClient client = new OkHttpClient();
        StringBuilder events = new StringBuilder();
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventSources.createFactory(client).newEventSource(okHttpRequest(call), new EventSourceListener() {
            @Override
            public void onOpen(EventSource source, Response response) {
                call.print("status", response.code());
            }

            @Override
            public void onEvent(EventSource source, String id, String type, String data) {
                if (events.length() == 0) {
                    call.firstByte();
                }
                events.append(type == null ? "" : "event: " + type + "\n").append("data: ").append(data).append("\n\n");
            }

            @Override
            public void onClosed(EventSource source) {
                done.complete(null);
            }

            @Override
            public void onFailure(EventSource source, Throwable t, Response response) {
                if (t != null) {
                    call.failed(t);
                }
                done.complete(null);
            }
        });
        done.get();
        show(call, events.toString().getBytes(StandardCharsets.UTF_8));
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static void hc5Async(AppCall call) throws Exception {
        try (CloseableHttpAsyncClient client = HttpAsyncClients.createDefault()) {
            client.start();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            Integer status = client.execute(AsyncRequestBuilder.post(call.url)
                    .setHeader("authorization", "Bearer sk-test-not-a-real-key-123456")
                    .setEntity(AsyncEntityProducers.create(REQUEST, ContentType.APPLICATION_JSON)).build(),
                    new AbstractBinResponseConsumer<Integer>() {
                        private int code;

                        @Override
                        protected void start(org.apache.hc.core5.http.HttpResponse response, ContentType contentType) {
                            code = response.getCode();
                        }

                        @Override
                        protected int capacityIncrement() {
                            return Integer.MAX_VALUE;
                        }

                        @Override
                        protected void data(ByteBuffer src, boolean endOfStream) {
                            if (src.hasRemaining() && all.size() == 0) {
                                call.firstByte();
                            }
                            byte[] chunk = new byte[src.remaining()];
                            src.get(chunk);
                            all.write(chunk, 0, chunk.length);
                        }

                        @Override
                        protected Integer buildResult() {
                            return code;
                        }

                        @Override
                        public void releaseResources() {
                        }
                    }, null).get();
            call.print("status", status);
            show(call, all.toByteArray());
        }
    }

    private static byte[] read(InputStream in, AppCall call) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (all.size() == 0 && n > 0) {
                call.firstByte();
            }
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    private static void show(AppCall call, byte[] bytes) {
        call.print("body.sha256", AppCall.sha256(bytes));
        call.print("body", new String(bytes, StandardCharsets.UTF_8).replace("\n", "\\n"));
    }
}
