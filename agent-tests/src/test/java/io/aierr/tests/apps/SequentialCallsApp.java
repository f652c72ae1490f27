package io.aierr.tests.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An app that makes {@code calls=N} chat calls one after the other through one client
 * ({@code client=jdk|jdk-async|okhttp|okhttp-async|hc4|hc5|hc5-async}) and prints how they ended:
 * {@code status.200=N}, {@code refused.<reason>=N} for answers aierr gave without sending, and the
 * elapsed time. With {@code vary-body=true} every call's request differs. Each client's classes are
 * touched only when it is chosen, so the class path holds just that client.
 */
public final class SequentialCallsApp {
    /** One call: returns {status, x-aierr-refused or null}. */
    interface Caller {
        String[] call(String url, String body) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>();
        for (String a : args) {
            o.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int calls = Integer.parseInt(o.getOrDefault("calls", "1"));
        boolean vary = Boolean.parseBoolean(o.getOrDefault("vary-body", "false"));
        Caller caller = caller(o.get("client"));
        Map<String, Integer> outcomes = new TreeMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            String body = vary ? AppCall.CHAT_REQUEST.replace("hi", "hi #" + i) : AppCall.CHAT_REQUEST;
            try {
                String[] answer = caller.call(o.get("url"), body);
                outcomes.merge("status." + answer[0], 1, Integer::sum);
                if (answer[1] != null) {
                    outcomes.merge("refused." + answer[1], 1, Integer::sum);
                }
            } catch (Exception e) {
                outcomes.merge("exception." + e.getClass().getName(), 1, Integer::sum);
            }
        }
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        outcomes.forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.println("elapsed.ms=" + elapsed);
        System.exit(0);
    }

    private static Caller caller(String client) {
        switch (client) {
            case "jdk":
            case "jdk-async":
                return new Jdk(client.endsWith("async"));
            case "okhttp":
            case "okhttp-async":
                return new OkHttp4(client.endsWith("async"));
            case "hc4":
                return new Hc4();
            case "hc5":
                return new Hc5();
            case "hc5-async":
                return new Hc5Async();
            default:
                throw new IllegalArgumentException(client);
        }
    }

    private static final class Jdk implements Caller {
        private final HttpClient client = HttpClient.newHttpClient();
        private final boolean async;

        Jdk(boolean async) {
            this.async = async;
        }

        @Override
        public String[] call(String url, String body) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                    .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> r = async ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get()
                    : client.send(request, HttpResponse.BodyHandlers.ofString());
            return new String[] {Integer.toString(r.statusCode()), r.headers().firstValue("x-aierr-refused").orElse(null)};
        }
    }

    private static final class OkHttp4 implements Caller {
        private final okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();
        private final boolean async;

        OkHttp4(boolean async) {
            this.async = async;
        }

        @Override
        public String[] call(String url, String body) throws Exception {
            okhttp3.Request request = new okhttp3.Request.Builder().url(url)
                    .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                    .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("application/json"))).build();
            okhttp3.Call call = client.newCall(request);
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
                        answer.complete(response);
                    }
                });
                r = answer.get(60, TimeUnit.SECONDS);
            } else {
                r = call.execute();
            }
            try (okhttp3.Response closing = r) {
                closing.body().bytes();
                return new String[] {Integer.toString(closing.code()), closing.header("x-aierr-refused")};
            }
        }
    }

    private static final class Hc4 implements Caller {
        private final org.apache.http.impl.client.CloseableHttpClient client =
                org.apache.http.impl.client.HttpClients.createDefault();

        @Override
        public String[] call(String url, String body) throws Exception {
            org.apache.http.client.methods.HttpPost post = new org.apache.http.client.methods.HttpPost(url);
            post.setHeader("authorization", "Bearer sk-test-not-a-real-key-123456");
            post.setEntity(new org.apache.http.entity.StringEntity(body,
                    org.apache.http.entity.ContentType.APPLICATION_JSON));
            try (org.apache.http.client.methods.CloseableHttpResponse r = client.execute(post)) {
                org.apache.http.util.EntityUtils.consume(r.getEntity());
                org.apache.http.Header refused = r.getFirstHeader("x-aierr-refused");
                return new String[] {Integer.toString(r.getStatusLine().getStatusCode()),
                        refused == null ? null : refused.getValue()};
            }
        }
    }

    private static final class Hc5 implements Caller {
        private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient client =
                org.apache.hc.client5.http.impl.classic.HttpClients.createDefault();

        @Override
        @SuppressWarnings("deprecation")
        public String[] call(String url, String body) throws Exception {
            org.apache.hc.client5.http.classic.methods.HttpPost post =
                    new org.apache.hc.client5.http.classic.methods.HttpPost(url);
            post.setHeader("authorization", "Bearer sk-test-not-a-real-key-123456");
            post.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(body,
                    org.apache.hc.core5.http.ContentType.APPLICATION_JSON));
            try (org.apache.hc.client5.http.impl.classic.CloseableHttpResponse r = client.execute(post)) {
                org.apache.hc.core5.http.io.entity.EntityUtils.consume(r.getEntity());
                org.apache.hc.core5.http.Header refused = r.getFirstHeader("x-aierr-refused");
                return new String[] {Integer.toString(r.getCode()), refused == null ? null : refused.getValue()};
            }
        }
    }

    private static final class Hc5Async implements Caller {
        private final org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient client =
                org.apache.hc.client5.http.impl.async.HttpAsyncClients.createDefault();

        Hc5Async() {
            client.start();
        }

        @Override
        public String[] call(String url, String body) throws Exception {
            org.apache.hc.client5.http.async.methods.SimpleHttpRequest request =
                    org.apache.hc.client5.http.async.methods.SimpleRequestBuilder.post(url)
                            .setHeader("authorization", "Bearer sk-test-not-a-real-key-123456")
                            .setBody(body.getBytes(StandardCharsets.UTF_8),
                                    org.apache.hc.core5.http.ContentType.APPLICATION_JSON).build();
            org.apache.hc.client5.http.async.methods.SimpleHttpResponse r =
                    client.execute(request, null).get(60, TimeUnit.SECONDS);
            org.apache.hc.core5.http.Header refused = r.getFirstHeader("x-aierr-refused");
            return new String[] {Integer.toString(r.getCode()), refused == null ? null : refused.getValue()};
        }
    }
}
