package io.aierr.bench;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * App calls through each client family against a loopback server ({@link LoopbackServer}), two per
 * operation: the same POST to a port that {@code aierr.endpoints} does not list (non-AI) and to the
 * port it lists as OpenAI (AI), in alternating order, each call timed on its own ({@link Calls},
 * read by {@link CallProfiler}). Without the agent both are the same plain call; with it, the
 * difference between the two in the same JVM, at the same time, is what aierr adds to an AI call,
 * untouched by the differences between JVMs and by the machine's load changing between forks.
 * {@link PairedRuns} runs each benchmark with and without {@code -javaagent:aierr.jar}.
 *
 * <p>{@code 2k}: 2 KiB chat request answered 200 with a small chat completion. {@code 1m}: 1 MiB
 * (aierr reads the first 64 KiB of an AI call's body to name the model). {@code Error}: 2 KiB
 * answered 400 {@code context_length_exceeded}, which aierr classifies and does not retry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 2, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-Dsun.net.httpserver.nodelay=true"})
public class CallBench {
    static final int SMALL = 2 * 1024;
    /** Exactly 1 MiB: the largest body aierr still reads a prefix of (its limit is {@code <= 1 << 20}). */
    static final int LARGE = 1 << 20;
    private static final String KEY = "Bearer sk-bench-0123456789abcdef";
    private static final MediaType JSON = MediaType.get("application/json");

    /** The calls to the unlisted port and to the listed one, this iteration. */
    static final Calls NON_AI = new Calls();
    static final Calls AI = new Calls();

    private LoopbackServer server;
    private URI nonAi;
    private URI ai;
    private URI nonAiError;
    private URI aiError;
    private byte[] small;
    private byte[] large;
    private long op;

    private HttpClient jdk;
    private OkHttpClient okhttp;
    private CloseableHttpClient hc5;

    private final Call jdkCall = this::jdk;
    private final Call okhttpCall = this::okhttp;
    private final Call hc5Call = this::hc5;

    /** One app call. */
    interface Call {
        byte[] send(URI uri, byte[] body) throws Exception;
    }

    @Setup(Level.Trial)
    public void start() throws IOException {
        server = LoopbackServer.start(Integer.getInteger("bench.nonAiPort", 0), Integer.getInteger("bench.aiPort", 0));
        nonAi = URI.create("http://127.0.0.1:" + server.nonAiPort() + "/v1/chat/completions");
        ai = URI.create("http://127.0.0.1:" + server.aiPort() + "/v1/chat/completions");
        nonAiError = URI.create(nonAi + "?" + LoopbackServer.ERROR_QUERY);
        aiError = URI.create(ai + "?" + LoopbackServer.ERROR_QUERY);
        small = LoopbackServer.chatRequest(SMALL);
        large = LoopbackServer.chatRequest(LARGE);
        jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        okhttp = new OkHttpClient.Builder().build();
        hc5 = HttpClients.custom().build();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        hc5.close();
        okhttp.dispatcher().executorService().shutdown();
        okhttp.connectionPool().evictAll();
        server.stop();
    }

    @Benchmark
    public void jdk2k(Blackhole bh) throws Exception {
        pair(bh, jdkCall, nonAi, ai, small);
    }

    @Benchmark
    public void jdk1m(Blackhole bh) throws Exception {
        pair(bh, jdkCall, nonAi, ai, large);
    }

    @Benchmark
    public void jdkError(Blackhole bh) throws Exception {
        pair(bh, jdkCall, nonAiError, aiError, small);
    }

    @Benchmark
    public void okhttp2k(Blackhole bh) throws Exception {
        pair(bh, okhttpCall, nonAi, ai, small);
    }

    @Benchmark
    public void okhttp1m(Blackhole bh) throws Exception {
        pair(bh, okhttpCall, nonAi, ai, large);
    }

    @Benchmark
    public void okhttpError(Blackhole bh) throws Exception {
        pair(bh, okhttpCall, nonAiError, aiError, small);
    }

    @Benchmark
    public void hc52k(Blackhole bh) throws Exception {
        pair(bh, hc5Call, nonAi, ai, small);
    }

    @Benchmark
    public void hc51m(Blackhole bh) throws Exception {
        pair(bh, hc5Call, nonAi, ai, large);
    }

    @Benchmark
    public void hc5Error(Blackhole bh) throws Exception {
        pair(bh, hc5Call, nonAiError, aiError, small);
    }

    /** Both calls to the unlisted port: a JVM whose app makes no AI call at all. */
    @Benchmark
    public void jdkNonAiOnly(Blackhole bh) throws Exception {
        pair(bh, jdkCall, nonAi, nonAi, small);
    }

    @Benchmark
    public void okhttpNonAiOnly(Blackhole bh) throws Exception {
        pair(bh, okhttpCall, nonAi, nonAi, small);
    }

    @Benchmark
    public void hc5NonAiOnly(Blackhole bh) throws Exception {
        pair(bh, hc5Call, nonAi, nonAi, small);
    }

    /** The non-AI call and the AI call, the one that went second last time first. */
    private void pair(Blackhole bh, Call call, URI plain, URI listed, byte[] body) throws Exception {
        pair(bh, call, plain, call, listed, body);
    }

    /** The same, where the call counted as AI is made by {@code aiCall}. */
    private void pair(Blackhole bh, Call plainCall, URI plain, Call aiCall, URI listed, byte[] body) throws Exception {
        if ((op++ & 1) == 0) {
            bh.consume(NON_AI.time(plainCall, plain, body));
            bh.consume(AI.time(aiCall, listed, body));
        } else {
            bh.consume(AI.time(aiCall, listed, body));
            bh.consume(NON_AI.time(plainCall, plain, body));
        }
    }

    /**
     * A control without aierr, run by hand: the non-AI call with the app's handler wrapped in a plain
     * delegating {@code BodySubscriber}, as aierr wraps it on an AI call. The JDK hands the body of
     * a subscriber that is not one of its own to the client's executor, a thread hop more than for
     * {@code BodyHandlers.ofByteArray()}.
     */
    @Benchmark
    public void jdkWrappedHandler(Blackhole bh) throws Exception {
        Call wrapped = (uri, body) -> {
            HttpRequest request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                    .header("authorization", KEY).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<byte[]> response = jdk.send(request,
                    info -> new Delegating<>(HttpResponse.BodySubscribers.ofByteArray()));
            return expect(uri, response.statusCode(), response.body());
        };
        // "AI" here is the plain call with the wrapped handler, to the unlisted port as well
        pair(bh, jdkCall, nonAi, wrapped, nonAi, small);
    }

    private byte[] jdk(URI uri, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .header("authorization", KEY).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = jdk.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return expect(uri, response.statusCode(), response.body());
    }

    private byte[] okhttp(URI uri, byte[] body) throws IOException {
        Request request = new Request.Builder().url(uri.toString()).header("authorization", KEY)
                .post(RequestBody.create(body, JSON)).build();
        try (Response response = okhttp.newCall(request).execute()) {
            return expect(uri, response.code(), response.body().bytes());
        }
    }

    private byte[] hc5(URI uri, byte[] body) throws IOException {
        HttpPost post = new HttpPost(uri);
        post.setHeader("authorization", KEY);
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        return hc5.execute(post, response -> expect(uri, response.getCode(), EntityUtils.toByteArray(response.getEntity())));
    }

    /** Passes everything to the subscriber it wraps. */
    private static final class Delegating<T> implements HttpResponse.BodySubscriber<T> {
        private final HttpResponse.BodySubscriber<T> app;

        Delegating(HttpResponse.BodySubscriber<T> app) {
            this.app = app;
        }

        @Override
        public CompletionStage<T> getBody() {
            return app.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            app.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            app.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            app.onError(throwable);
        }

        @Override
        public void onComplete() {
            app.onComplete();
        }
    }

    /** The answer's body; a status the server was not asked for fails the run rather than timing it. */
    private byte[] expect(URI uri, int status, byte[] body) {
        int wanted = uri == aiError || uri == nonAiError ? 400 : 200;
        if (status != wanted) {
            throw new IllegalStateException(uri + " answered " + status + ", expected " + wanted);
        }
        return body;
    }
}
