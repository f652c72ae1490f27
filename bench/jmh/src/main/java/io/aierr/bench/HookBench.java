package io.aierr.bench;

import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
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

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * What aierr's hooks do for a call to a host that is not an AI endpoint, without the call: the
 * entry points the woven client methods call ({@code io.aierr.bootstrap.AierrHooks}), invoked
 * directly with the same objects the clients hand them, each answering "not mine" (the woven
 * method then runs as it would without aierr). Runs only with {@code -javaagent:aierr.jar}.
 * Per client family, every hook one non-AI call passes: JDK {@code send}; OkHttp
 * {@code RealCall.execute} and {@code RetryAndFollowUpInterceptor.intercept}; HttpClient 5
 * {@code InternalHttpClient.doExecute} and {@code DefaultHttpRequestRetryStrategy.retryRequest}
 * (asked once per response).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HookBench {
    private static final String HOOKS = "io.aierr.bootstrap.AierrHooks";
    private static final MethodType SEND = MethodType.methodType(Object[].class, Object.class, Object.class, Object.class);

    private MethodHandle jdkSend;
    private MethodHandle okHttpExecute;
    private MethodHandle okHttpSending;
    private MethodHandle apacheExecute;
    private MethodHandle apacheRetry;

    private HttpClient jdk;
    private HttpRequest jdkRequest;
    private HttpResponse.BodyHandler<byte[]> jdkHandler;
    private OkHttpClient okhttp;
    private Call okhttpCall;
    private CloseableHttpClient hc5;
    private HttpHost hc5Target;
    private HttpPost hc5Request;
    private DefaultHttpRequestRetryStrategy hc5Retry;
    private BasicClassicHttpResponse hc5Response;
    private HttpClientContext hc5Context;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        Class<?> hooks;
        try {
            hooks = Class.forName(HOOKS, true, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("HookBench runs with -javaagent:aierr.jar", e);
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        jdkSend = lookup.findStatic(hooks, "jdkSend", SEND);
        okHttpExecute = lookup.findStatic(hooks, "okHttpExecute", MethodType.methodType(Object[].class, Object.class));
        okHttpSending = lookup.findStatic(hooks, "okHttpSending",
                MethodType.methodType(void.class, Object.class, Object.class));
        apacheExecute = lookup.findStatic(hooks, "apacheExecute",
                MethodType.methodType(Object[].class, Object.class, Object.class, Object.class, Object.class));
        apacheRetry = lookup.findStatic(hooks, "apacheLeavesRetryToAierr",
                MethodType.methodType(boolean.class, Object.class, Object.class, Object.class));

        // a port nothing listens on and aierr.endpoints does not list: nothing is sent
        URI uri = URI.create("http://127.0.0.1:9/v1/chat/completions");
        byte[] body = LoopbackServer.chatRequest(CallBench.SMALL);
        jdk = HttpClient.newHttpClient();
        jdkRequest = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        jdkHandler = HttpResponse.BodyHandlers.ofByteArray();
        okhttp = new OkHttpClient();
        okhttpCall = okhttp.newCall(new Request.Builder().url(uri.toString())
                .post(RequestBody.create(body, MediaType.get("application/json"))).build());
        hc5 = HttpClients.custom().build();
        hc5Request = new HttpPost(uri);
        hc5Request.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        hc5Target = HttpHost.create(uri);
        hc5Retry = new DefaultHttpRequestRetryStrategy();
        hc5Response = new BasicClassicHttpResponse(200);
        hc5Context = HttpClientContext.create();
        // each hook must decline, or the benchmark would time something else
        if (jdkSend() != null || okhttpExecute() != null || hc5Execute() != null || hc5Retry()) {
            throw new IllegalStateException("a hook took a call to " + uri + " for an AI call");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        hc5.close();
    }

    @Benchmark
    public Object jdkSend() throws Throwable {
        return (Object[]) jdkSend.invokeExact((Object) jdk, (Object) jdkRequest, (Object) jdkHandler);
    }

    @Benchmark
    public Object okhttpExecute() throws Throwable {
        Object[] outcome = (Object[]) okHttpExecute.invokeExact((Object) okhttpCall);
        okHttpSending.invokeExact((Object) null, (Object) null); // no AI call in flight: the chain is not read
        return outcome;
    }

    @Benchmark
    public Object hc5Execute() throws Throwable {
        // execute(request, handler) reaches doExecute with the request's host and no context
        return (Object[]) apacheExecute.invokeExact((Object) hc5, (Object) hc5Target, (Object) hc5Request, (Object) null);
    }

    @Benchmark
    public boolean hc5Retry() throws Throwable {
        return (boolean) apacheRetry.invokeExact((Object) hc5Retry, (Object) hc5Response, (Object) hc5Context);
    }
}
