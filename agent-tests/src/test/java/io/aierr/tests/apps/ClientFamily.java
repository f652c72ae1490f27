package io.aierr.tests.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP client family as an app uses it for chat calls: one shared client, its pool sized for
 * {@code connections} calls at once (0: the library's defaults), every answer read whole. Names:
 * {@code jdk|jdk-async|okhttp|okhttp-async|hc4|hc5|hc5-async}; async families wait on the client's
 * own future. Each family's classes are touched only when it is chosen, so the class path holds just
 * that client. Knows nothing of aierr.
 */
abstract class ClientFamily {
    /** What the app saw of one answer; a header is null when absent. */
    record Answer(int status, byte[] body, String refused, String bodySha256) {
    }

    static ClientFamily of(String name, int connections) {
        switch (name) {
            case "jdk":
            case "jdk-async":
                return new Jdk(name.endsWith("async"));
            case "okhttp":
            case "okhttp-async":
                return new OkHttp4(name.endsWith("async"), connections);
            case "hc4":
                return new Hc4(connections);
            case "hc5":
                return new Hc5(connections);
            case "hc5-async":
                return new Hc5Async(connections);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** POSTs {@code body} as JSON with these headers. An async family's failure is thrown as its cause. */
    abstract Answer call(String url, byte[] body, Map<String, String> headers) throws Exception;

    /** Connections the pool lent out and has not got back, or -1 when the client does not tell. */
    int leased() {
        return -1;
    }

    private static <T> T await(java.util.concurrent.Future<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static final class Jdk extends ClientFamily {
        private final HttpClient client = HttpClient.newHttpClient();
        private final boolean async;

        Jdk(boolean async) {
            this.async = async;
        }

        @Override
        Answer call(String url, byte[] body, Map<String, String> headers) throws Exception {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(builder::header);
            HttpRequest request = builder.build();
            HttpResponse<byte[]> r = async ? await(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                    : client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("x-aierr-refused").orElse(null),
                    r.headers().firstValue("x-body-sha256").orElse(null));
        }
    }

    private static final class OkHttp4 extends ClientFamily {
        private static final okhttp3.MediaType JSON = okhttp3.MediaType.get("application/json");
        private final okhttp3.OkHttpClient client;
        private final boolean async;

        OkHttp4(boolean async, int connections) {
            this.async = async;
            if (connections == 0) {
                client = new okhttp3.OkHttpClient();
                return;
            }
            okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
            dispatcher.setMaxRequests(connections);
            dispatcher.setMaxRequestsPerHost(connections);
            client = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher)
                    .connectionPool(new okhttp3.ConnectionPool(connections, 5, TimeUnit.MINUTES)).build();
        }

        @Override
        Answer call(String url, byte[] body, Map<String, String> headers) throws Exception {
            okhttp3.Request.Builder builder = new okhttp3.Request.Builder().url(url)
                    .post(okhttp3.RequestBody.create(body, JSON));
            headers.forEach(builder::header);
            okhttp3.Call call = client.newCall(builder.build());
            okhttp3.Response r;
            if (async) {
                CompletableFuture<okhttp3.Response> answer = new CompletableFuture<>();
                call.enqueue(new okhttp3.Callback() {
                    @Override
                    public void onFailure(okhttp3.Call c, java.io.IOException e) {
                        answer.completeExceptionally(e);
                    }

                    @Override
                    public void onResponse(okhttp3.Call c, okhttp3.Response response) {
                        if (!answer.complete(response)) {
                            response.close(); // its caller stopped waiting: nobody else will close it
                        }
                    }
                });
                try {
                    r = await(answer);
                } catch (InterruptedException e) {
                    call.cancel();
                    if (!answer.cancel(false)) {
                        answer.thenAccept(okhttp3.Response::close); // it came meanwhile
                    }
                    throw e;
                }
            } else {
                r = call.execute();
            }
            try (okhttp3.Response closing = r) {
                return new Answer(closing.code(), closing.body().bytes(), closing.header("x-aierr-refused"),
                        closing.header("x-body-sha256"));
            }
        }

        @Override
        int leased() {
            return client.connectionPool().connectionCount() - client.connectionPool().idleConnectionCount();
        }
    }

    private static final class Hc4 extends ClientFamily {
        private final org.apache.http.impl.conn.PoolingHttpClientConnectionManager pool =
                new org.apache.http.impl.conn.PoolingHttpClientConnectionManager();
        private final org.apache.http.impl.client.CloseableHttpClient client;

        Hc4(int connections) {
            if (connections > 0) {
                pool.setMaxTotal(connections);
                pool.setDefaultMaxPerRoute(connections);
            }
            client = org.apache.http.impl.client.HttpClients.custom().setConnectionManager(pool).build();
        }

        @Override
        Answer call(String url, byte[] body, Map<String, String> headers) throws Exception {
            org.apache.http.client.methods.HttpPost post = new org.apache.http.client.methods.HttpPost(url);
            headers.forEach(post::setHeader);
            post.setEntity(new org.apache.http.entity.ByteArrayEntity(body,
                    org.apache.http.entity.ContentType.APPLICATION_JSON));
            try (org.apache.http.client.methods.CloseableHttpResponse r = client.execute(post)) {
                return new Answer(r.getStatusLine().getStatusCode(), org.apache.http.util.EntityUtils.toByteArray(
                        r.getEntity()), header(r.getFirstHeader("x-aierr-refused")), header(r.getFirstHeader("x-body-sha256")));
            }
        }

        private static String header(org.apache.http.Header h) {
            return h == null ? null : h.getValue();
        }

        @Override
        int leased() {
            return pool.getTotalStats().getLeased();
        }
    }

    private static final class Hc5 extends ClientFamily {
        private final org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager pool;
        private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient client;

        Hc5(int connections) {
            org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder builder =
                    org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create();
            if (connections > 0) {
                builder.setMaxConnTotal(connections).setMaxConnPerRoute(connections);
            }
            pool = builder.build();
            client = org.apache.hc.client5.http.impl.classic.HttpClients.custom().setConnectionManager(pool).build();
        }

        @Override
        @SuppressWarnings("deprecation")
        Answer call(String url, byte[] body, Map<String, String> headers) throws Exception {
            org.apache.hc.client5.http.classic.methods.HttpPost post =
                    new org.apache.hc.client5.http.classic.methods.HttpPost(url);
            headers.forEach(post::setHeader);
            post.setEntity(new org.apache.hc.core5.http.io.entity.ByteArrayEntity(body,
                    org.apache.hc.core5.http.ContentType.APPLICATION_JSON));
            try (org.apache.hc.client5.http.impl.classic.CloseableHttpResponse r = client.execute(post)) {
                return new Answer(r.getCode(), org.apache.hc.core5.http.io.entity.EntityUtils.toByteArray(r.getEntity()),
                        header(r.getFirstHeader("x-aierr-refused")), header(r.getFirstHeader("x-body-sha256")));
            }
        }

        @Override
        int leased() {
            return pool.getTotalStats().getLeased();
        }
    }

    private static String header(org.apache.hc.core5.http.Header h) {
        return h == null ? null : h.getValue();
    }

    private static final class Hc5Async extends ClientFamily {
        private final org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager pool;
        private final org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client;

        Hc5Async(int connections) {
            org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder builder =
                    org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder.create();
            if (connections > 0) {
                builder.setMaxConnTotal(connections).setMaxConnPerRoute(connections);
            }
            pool = builder.build();
            client = org.apache.hc.client5.http.impl.async.HttpAsyncClients.custom().setConnectionManager(pool).build();
            client.start();
        }

        @Override
        Answer call(String url, byte[] body, Map<String, String> headers) throws Exception {
            org.apache.hc.client5.http.async.methods.SimpleRequestBuilder builder =
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.post(url)
                            .setBody(body, org.apache.hc.core5.http.ContentType.APPLICATION_JSON);
            headers.forEach(builder::setHeader);
            org.apache.hc.client5.http.async.methods.SimpleHttpResponse r = await(client.execute(builder.build(), null));
            byte[] bytes = r.getBodyBytes();
            return new Answer(r.getCode(), bytes == null ? new byte[0] : bytes, header(r.getFirstHeader("x-aierr-refused")),
                    header(r.getFirstHeader("x-body-sha256")));
        }

        @Override
        int leased() {
            return pool.getTotalStats().getLeased();
        }
    }
}
