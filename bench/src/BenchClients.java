import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client families of the benchmarks, each built as an app that runs {@code concurrency} calls
 * at once would build it: one shared client whose connection pool (and OkHttp's dispatcher) lets
 * that many requests to one host run together; otherwise the library's defaults (HttpClient 5's
 * own retry of 429 and 503 stays on unless the kind ends in {@code -noretry}). Each family's
 * classes are touched only when it is chosen.
 *
 * <p>Kinds: {@code jdk} (send), {@code jdk-async} (sendAsync), {@code okhttp} (execute),
 * {@code okhttp-async} (enqueue), {@code hc4}, {@code hc5}, {@code hc5-noretry} (classic,
 * {@code disableAutomaticRetries()}), {@code hc5-async}, {@code hc5-async-noretry}.
 */
final class BenchClients {
    private BenchClients() {
    }

    static BenchClient of(String kind, String baseUrl, int concurrency) {
        switch (kind) {
            case "jdk":
            case "jdk-async":
                return new Jdk(baseUrl, kind.endsWith("async"));
            case "okhttp":
            case "okhttp-async":
                return new OkHttp(baseUrl, concurrency, kind.endsWith("async"));
            case "hc4":
                return new Hc4(baseUrl, concurrency);
            case "hc5":
            case "hc5-noretry":
                return new Hc5(baseUrl, concurrency, kind.endsWith("noretry"));
            case "hc5-async":
            case "hc5-async-noretry":
                return new Hc5Async(baseUrl, concurrency, kind.endsWith("noretry"));
            default:
                throw new IllegalArgumentException("unknown client " + kind);
        }
    }

    private static boolean quota(int status, String body) {
        return status == 429 && body != null && body.contains("insufficient_quota");
    }

    /** Runs a sync family's call on the caller's thread, its exception as a failed future. */
    private interface Blocking<T> {
        T call() throws Exception;
    }

    private static <T> CompletableFuture<T> now(Blocking<T> call) {
        try {
            return CompletableFuture.completedFuture(call.call());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    private static final class Jdk implements BenchClient {
        // HTTP/1.1 spares every new connection the h2c upgrade attempt the JDK server ignores
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI chat;
        private final URI models;
        private final boolean async;

        Jdk(String baseUrl, boolean async) {
            this.chat = URI.create(baseUrl + "/chat/completions");
            this.models = URI.create(baseUrl + "/models");
            this.async = async;
        }

        @Override
        public CompletableFuture<Void> warmUp() {
            return client.sendAsync(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(r -> null);
        }

        @Override
        public CompletableFuture<Answer> chat(String body, Map<String, String> headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(chat)
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer sk-bench")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            if (async) {
                return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(Jdk::answer);
            }
            return now(() -> answer(client.send(request.build(), HttpResponse.BodyHandlers.ofString())));
        }

        private static Answer answer(HttpResponse<String> r) {
            return new Answer(r.statusCode(), r.headers().firstValue("x-aierr-refused").orElse(null),
                    quota(r.statusCode(), r.body()));
        }

        @Override
        public boolean async() {
            return async;
        }
    }

    private static final class OkHttp implements BenchClient {
        private static final okhttp3.MediaType JSON = okhttp3.MediaType.get("application/json");
        private final okhttp3.OkHttpClient client;
        private final String chat;
        private final String models;
        private final boolean async;

        OkHttp(String baseUrl, int concurrency, boolean async) {
            // the dispatcher runs 5 enqueued calls per host by default: an app with 200 at once raises it
            okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
            dispatcher.setMaxRequests(Math.max(64, concurrency));
            dispatcher.setMaxRequestsPerHost(Math.max(5, concurrency));
            this.client = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher)
                    .connectionPool(new okhttp3.ConnectionPool(Math.max(5, concurrency), 5, TimeUnit.MINUTES)).build();
            this.chat = baseUrl + "/chat/completions";
            this.models = baseUrl + "/models";
            this.async = async;
        }

        @Override
        public CompletableFuture<Void> warmUp() {
            return enqueue(new okhttp3.Request.Builder().url(models).build()).thenApply(a -> null);
        }

        @Override
        public CompletableFuture<Answer> chat(String body, Map<String, String> headers) {
            okhttp3.Request.Builder request = new okhttp3.Request.Builder().url(chat)
                    .header("authorization", "Bearer sk-bench")
                    .post(okhttp3.RequestBody.create(body, JSON));
            headers.forEach(request::header);
            if (async) {
                return enqueue(request.build());
            }
            return now(() -> {
                try (okhttp3.Response r = client.newCall(request.build()).execute()) {
                    return answer(r);
                }
            });
        }

        private CompletableFuture<Answer> enqueue(okhttp3.Request request) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            client.newCall(request).enqueue(new okhttp3.Callback() {
                @Override
                public void onFailure(okhttp3.Call call, IOException e) {
                    answer.completeExceptionally(e);
                }

                @Override
                public void onResponse(okhttp3.Call call, okhttp3.Response response) {
                    try (response) {
                        answer.complete(answer(response));
                    } catch (IOException | RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                }
            });
            return answer;
        }

        private static Answer answer(okhttp3.Response r) throws IOException {
            String body = r.body() == null ? null : r.body().string();
            return new Answer(r.code(), r.header("x-aierr-refused"), quota(r.code(), body));
        }

        @Override
        public boolean async() {
            return async;
        }
    }

    private static final class Hc4 implements BenchClient {
        private final org.apache.http.impl.client.CloseableHttpClient client;
        private final String chat;
        private final String models;

        Hc4(String baseUrl, int concurrency) {
            // the pool allows 2 connections per route by default
            this.client = org.apache.http.impl.client.HttpClients.custom()
                    .setMaxConnTotal(Math.max(20, concurrency)).setMaxConnPerRoute(Math.max(2, concurrency)).build();
            this.chat = baseUrl + "/chat/completions";
            this.models = baseUrl + "/models";
        }

        @Override
        public CompletableFuture<Void> warmUp() {
            return now(() -> {
                try (org.apache.http.client.methods.CloseableHttpResponse r =
                             client.execute(new org.apache.http.client.methods.HttpGet(models))) {
                    org.apache.http.util.EntityUtils.consume(r.getEntity());
                }
                return null;
            });
        }

        @Override
        public CompletableFuture<Answer> chat(String body, Map<String, String> headers) {
            org.apache.http.client.methods.HttpPost post = new org.apache.http.client.methods.HttpPost(chat);
            post.setHeader("authorization", "Bearer sk-bench");
            headers.forEach(post::setHeader);
            post.setEntity(new org.apache.http.entity.StringEntity(body, org.apache.http.entity.ContentType.APPLICATION_JSON));
            return now(() -> {
                try (org.apache.http.client.methods.CloseableHttpResponse r = client.execute(post)) {
                    int status = r.getStatusLine().getStatusCode();
                    String text = r.getEntity() == null ? null
                            : org.apache.http.util.EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8);
                    org.apache.http.Header refused = r.getFirstHeader("x-aierr-refused");
                    return new Answer(status, refused == null ? null : refused.getValue(), quota(status, text));
                }
            });
        }

        @Override
        public boolean async() {
            return false;
        }
    }

    private static final class Hc5 implements BenchClient {
        private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient client;
        private final String chat;
        private final String models;

        Hc5(String baseUrl, int concurrency, boolean noRetry) {
            // the pool allows 5 connections per route by default
            org.apache.hc.client5.http.impl.classic.HttpClientBuilder builder =
                    org.apache.hc.client5.http.impl.classic.HttpClients.custom().setConnectionManager(
                            org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                                    .setMaxConnTotal(Math.max(25, concurrency))
                                    .setMaxConnPerRoute(Math.max(5, concurrency)).build());
            if (noRetry) {
                builder.disableAutomaticRetries();
            }
            this.client = builder.build();
            this.chat = baseUrl + "/chat/completions";
            this.models = baseUrl + "/models";
        }

        @Override
        public CompletableFuture<Void> warmUp() {
            return now(() -> client.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(models), r -> {
                org.apache.hc.core5.http.io.entity.EntityUtils.consume(r.getEntity());
                return null;
            }));
        }

        @Override
        public CompletableFuture<Answer> chat(String body, Map<String, String> headers) {
            org.apache.hc.client5.http.classic.methods.HttpPost post =
                    new org.apache.hc.client5.http.classic.methods.HttpPost(chat);
            post.setHeader("authorization", "Bearer sk-bench");
            headers.forEach(post::setHeader);
            post.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(body,
                    org.apache.hc.core5.http.ContentType.APPLICATION_JSON));
            return now(() -> client.execute(post, r -> {
                String text = r.getEntity() == null ? null
                        : org.apache.hc.core5.http.io.entity.EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8);
                org.apache.hc.core5.http.Header refused = r.getFirstHeader("x-aierr-refused");
                return new Answer(r.getCode(), refused == null ? null : refused.getValue(), quota(r.getCode(), text));
            }));
        }

        @Override
        public boolean async() {
            return false;
        }
    }

    private static final class Hc5Async implements BenchClient {
        private final org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client;
        private final String chat;
        private final String models;

        Hc5Async(String baseUrl, int concurrency, boolean noRetry) {
            org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder builder =
                    org.apache.hc.client5.http.impl.async.HttpAsyncClients.custom().setConnectionManager(
                            org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder.create()
                                    .setMaxConnTotal(Math.max(25, concurrency))
                                    .setMaxConnPerRoute(Math.max(5, concurrency)).build());
            if (noRetry) {
                builder.disableAutomaticRetries();
            }
            this.client = builder.build();
            this.client.start();
            this.chat = baseUrl + "/chat/completions";
            this.models = baseUrl + "/models";
        }

        @Override
        public CompletableFuture<Void> warmUp() {
            return execute(org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.get(models).build())
                    .thenApply(r -> null);
        }

        @Override
        public CompletableFuture<Answer> chat(String body, Map<String, String> headers) {
            org.apache.hc.client5.http.async.methods.SimpleRequestBuilder request =
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.post(chat)
                            .setHeader("authorization", "Bearer sk-bench")
                            .setBody(body, org.apache.hc.core5.http.ContentType.APPLICATION_JSON);
            headers.forEach(request::setHeader);
            return execute(request.build()).thenApply(r -> {
                org.apache.hc.core5.http.Header refused = r.getFirstHeader("x-aierr-refused");
                return new Answer(r.getCode(), refused == null ? null : refused.getValue(),
                        quota(r.getCode(), r.getBodyText()));
            });
        }

        private CompletableFuture<org.apache.hc.client5.http.async.methods.SimpleHttpResponse> execute(
                org.apache.hc.client5.http.async.methods.SimpleHttpRequest request) {
            CompletableFuture<org.apache.hc.client5.http.async.methods.SimpleHttpResponse> answer = new CompletableFuture<>();
            client.execute(request, new org.apache.hc.core5.concurrent.FutureCallback<>() {
                @Override
                public void completed(org.apache.hc.client5.http.async.methods.SimpleHttpResponse result) {
                    answer.complete(result);
                }

                @Override
                public void failed(Exception e) {
                    answer.completeExceptionally(e);
                }

                @Override
                public void cancelled() {
                    answer.cancel(false);
                }
            });
            return answer;
        }

        @Override
        public boolean async() {
            return true;
        }
    }
}
