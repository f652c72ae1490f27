package io.aierr.instrumentation.okhttp.okhttp3;

import okhttp3.Call;
import okhttp3.OkHttpClient;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** What aierr needs of a call's client, which OkHttp's {@code Call} does not expose. */
final class CallClient {
    /**
     * The getter of {@code RealCall}'s client: public {@code getClient()} in 4.x and 5.x, the
     * package-private field {@code client} in 3.x (readable because OkHttp's package is open, as on
     * the class path); null when neither can be reached.
     */
    private static final ClassValue<MethodHandle> GETTER = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> realCall) {
            try {
                return MethodHandles.publicLookup().findVirtual(realCall, "getClient",
                        MethodType.methodType(OkHttpClient.class));
            } catch (ReflectiveOperationException notPublic) {
                try {
                    return MethodHandles.privateLookupIn(realCall, MethodHandles.lookup())
                            .findGetter(realCall, "client", OkHttpClient.class);
                } catch (ReflectiveOperationException | RuntimeException hidden) {
                    return null;
                }
            }
        }
    };

    private CallClient() {
    }

    /**
     * A new call of the same client for the same request, which carries {@code traceparent} when it
     * is not null (a {@code clone()} cannot change headers); a clone when the client is out of reach.
     */
    static Call copy(Call call, String traceparent) {
        OkHttpClient client = traceparent == null ? null : of(call);
        if (client == null) {
            return call.clone();
        }
        return client.newCall(call.request().newBuilder().header("traceparent", traceparent).build());
    }

    /**
     * Where OkHttp calls an enqueued call's callback: its client's dispatcher threads, or a common
     * pool thread when the client is out of reach.
     */
    static Executor callbackExecutor(Call call) {
        OkHttpClient client = of(call);
        return client == null ? ForkJoinPool.commonPool() : client.dispatcher().executorService();
    }

    private static OkHttpClient of(Call call) {
        MethodHandle getter = GETTER.get(call.getClass());
        try {
            return getter == null ? null : (OkHttpClient) getter.invoke(call);
        } catch (Throwable e) {
            return null;
        }
    }
}
