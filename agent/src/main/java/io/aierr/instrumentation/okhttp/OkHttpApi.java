package io.aierr.instrumentation.okhttp;

import io.aierr.core.retry.AiCalls;
import io.aierr.core.retry.PeekedBody;
import io.aierr.core.retry.RequestBodyPrefix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The part of OkHttp's public API the adapter uses, bound by method handles to the OkHttp classes
 * of one class loader. The adapter stays in the agent's own loader, which cannot see the app's
 * {@code okhttp3} classes, so nothing is compiled against them and no class of the agent has to be
 * defined in the app's loader (which may be a Spring Boot or container loader). The JVM names used
 * here are identical in 3.14, 4.x and 5.x: Kotlin's {@code @JvmName} keeps {@code code()},
 * {@code body()}, {@code headers()}... as they were in Java, so one binding serves all three.
 */
final class OkHttpApi {
    /**
     * One binding per OkHttp copy, found from the woven {@code RealCall} class; for a copy that lacks
     * a method, the failure, kept so that binding is tried once.
     */
    private static final ClassValue<Object> BY_CALL_CLASS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> callClass) {
            try {
                return new OkHttpApi(callClass);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return new IllegalStateException("unsupported OkHttp: " + e);
            }
        }
    };

    private final Class<?> callbackType;
    private final MethodHandle callRequest;
    private final MethodHandle callExecute;
    private final MethodHandle callEnqueue;
    private final MethodHandle callCancel;
    private final MethodHandle callClone;
    /** The call's client, or null when this OkHttp hides it: then retries are clones, without aierr's traceparent. */
    private final MethodHandle callClient;
    private final MethodHandle clientNewCall;
    private final MethodHandle requestNewBuilder;
    private final MethodHandle requestBuilderHeader;
    private final MethodHandle requestBuilderBuild;
    private final MethodHandle callIsExecuted;
    private final MethodHandle callTimeout;
    private final MethodHandle timeoutNanos;
    private final MethodHandle timeoutSet;
    private final MethodHandle requestMethod;
    private final MethodHandle requestUrl;
    private final MethodHandle requestBody;
    private final MethodHandle requestHeader;
    private final MethodHandle urlHost;
    private final MethodHandle urlPort;
    private final MethodHandle urlString;
    private final MethodHandle urlUri;
    private final MethodHandle bodyIsOneShot;
    private final MethodHandle bodyIsDuplex;
    private final MethodHandle bodyContentLength;
    private final MethodHandle bodyWriteTo;
    private final MethodHandle okioSink;
    private final MethodHandle okioBuffer;
    private final MethodHandle sinkFlush;
    private final MethodHandle responseCode;
    private final MethodHandle responseHeaders;
    private final MethodHandle headersToMultimap;
    private final MethodHandle responseBody;
    private final MethodHandle responseBodySource;
    private final MethodHandle sourceRequest;
    private final MethodHandle sourceBuffer;
    private final MethodHandle bufferSize;
    private final MethodHandle bufferCopyTo;
    private final MethodHandle responseBodyContentType;
    private final MethodHandle responseBodyContentLength;
    private final MethodHandle responseBodyByteStream;
    private final MethodHandle responseBodyCreate;
    private final MethodHandle okioSource;
    private final MethodHandle okioBufferSource;
    private final MethodHandle responseClose;
    private final MethodHandle responseNewBuilder;
    private final MethodHandle builderHeader;
    private final MethodHandle builderBody;
    private final MethodHandle builderBuild;
    private final MethodHandle newResponseBuilder;
    private final MethodHandle builderRequest;
    private final MethodHandle builderProtocol;
    private final MethodHandle builderCode;
    private final MethodHandle builderMessage;
    private final MethodHandle mediaTypeParse;
    private final MethodHandle responseBodyOfBytes;
    private final Object http11;
    private final MethodHandle clientDispatcher;
    private final MethodHandle dispatcherExecutor;
    private final MethodHandle callbackOnResponse;
    private final MethodHandle callbackOnFailure;

    private OkHttpApi(Class<?> realCall) throws ReflectiveOperationException {
        ClassLoader loader = realCall.getClassLoader();
        Class<?> call = Class.forName("okhttp3.Call", false, loader);
        Class<?> client = Class.forName("okhttp3.OkHttpClient", false, loader);
        Class<?> requestBuilder = Class.forName("okhttp3.Request$Builder", false, loader);
        Class<?> callback = Class.forName("okhttp3.Callback", false, loader);
        Class<?> request = Class.forName("okhttp3.Request", false, loader);
        Class<?> response = Class.forName("okhttp3.Response", false, loader);
        Class<?> responseBuilder = Class.forName("okhttp3.Response$Builder", false, loader);
        Class<?> responseBodyType = Class.forName("okhttp3.ResponseBody", false, loader);
        Class<?> requestBodyType = Class.forName("okhttp3.RequestBody", false, loader);
        Class<?> url = Class.forName("okhttp3.HttpUrl", false, loader);
        Class<?> headers = Class.forName("okhttp3.Headers", false, loader);
        Class<?> timeout = Class.forName("okio.Timeout", false, loader);
        Class<?> okio = Class.forName("okio.Okio", false, loader);
        Class<?> okioSinkType = Class.forName("okio.Sink", false, loader);
        Class<?> sink = Class.forName("okio.BufferedSink", false, loader);
        Class<?> okioSourceType = Class.forName("okio.Source", false, loader);
        Class<?> source = Class.forName("okio.BufferedSource", false, loader);
        Class<?> buffer = Class.forName("okio.Buffer", false, loader);
        Class<?> mediaType = Class.forName("okhttp3.MediaType", false, loader);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        callbackType = callback;
        callRequest = virtual(lookup, call, "request", request);
        callExecute = virtual(lookup, call, "execute", response);
        callEnqueue = virtual(lookup, call, "enqueue", void.class, callback);
        callCancel = virtual(lookup, call, "cancel", void.class);
        callClone = virtual(lookup, call, "clone", call);
        callClient = clientOf(lookup, realCall, client);
        clientNewCall = virtual(lookup, client, "newCall", call, request);
        requestNewBuilder = virtual(lookup, request, "newBuilder", requestBuilder);
        requestBuilderHeader = virtual(lookup, requestBuilder, "header", requestBuilder, String.class, String.class);
        requestBuilderBuild = virtual(lookup, requestBuilder, "build", request);
        callIsExecuted = virtual(lookup, call, "isExecuted", boolean.class);
        callTimeout = virtual(lookup, call, "timeout", timeout);
        timeoutNanos = virtual(lookup, timeout, "timeoutNanos", long.class);
        timeoutSet = virtual(lookup, timeout, "timeout", timeout, long.class, TimeUnit.class);
        requestMethod = virtual(lookup, request, "method", String.class);
        requestUrl = virtual(lookup, request, "url", url);
        requestBody = virtual(lookup, request, "body", requestBodyType);
        requestHeader = virtual(lookup, request, "header", String.class, String.class);
        urlHost = virtual(lookup, url, "host", String.class);
        urlPort = virtual(lookup, url, "port", int.class);
        urlString = virtual(lookup, url, "toString", String.class);
        urlUri = virtual(lookup, url, "uri", URI.class);
        bodyIsOneShot = virtual(lookup, requestBodyType, "isOneShot", boolean.class);
        bodyIsDuplex = virtual(lookup, requestBodyType, "isDuplex", boolean.class);
        bodyContentLength = virtual(lookup, requestBodyType, "contentLength", long.class);
        bodyWriteTo = virtual(lookup, requestBodyType, "writeTo", void.class, sink);
        okioSink = generic(lookup.findStatic(okio, "sink", MethodType.methodType(okioSinkType, OutputStream.class)));
        okioBuffer = generic(lookup.findStatic(okio, "buffer", MethodType.methodType(sink, okioSinkType)));
        sinkFlush = virtual(lookup, sink, "flush", void.class);
        responseCode = virtual(lookup, response, "code", int.class);
        responseHeaders = virtual(lookup, response, "headers", headers);
        headersToMultimap = virtual(lookup, headers, "toMultimap", Map.class);
        responseBody = virtual(lookup, response, "body", responseBodyType);
        responseBodySource = virtual(lookup, responseBodyType, "source", source);
        sourceRequest = virtual(lookup, source, "request", boolean.class, long.class);
        // buffer(), not getBuffer(): okio 1.x before 1.17 has only the former; 2.x and 3.x keep it, deprecated
        sourceBuffer = virtual(lookup, source, "buffer", buffer);
        bufferSize = virtual(lookup, buffer, "size", long.class);
        bufferCopyTo = virtual(lookup, buffer, "copyTo", buffer, OutputStream.class, long.class, long.class);
        responseBodyContentType = virtual(lookup, responseBodyType, "contentType", mediaType);
        responseBodyContentLength = virtual(lookup, responseBodyType, "contentLength", long.class);
        responseBodyByteStream = virtual(lookup, responseBodyType, "byteStream", InputStream.class);
        responseBodyCreate = generic(lookup.findStatic(responseBodyType, "create",
                MethodType.methodType(responseBodyType, mediaType, long.class, source)));
        okioSource = generic(lookup.findStatic(okio, "source", MethodType.methodType(okioSourceType, InputStream.class)));
        okioBufferSource = generic(lookup.findStatic(okio, "buffer", MethodType.methodType(source, okioSourceType)));
        responseClose = virtual(lookup, response, "close", void.class);
        responseNewBuilder = virtual(lookup, response, "newBuilder", responseBuilder);
        builderHeader = virtual(lookup, responseBuilder, "header", responseBuilder, String.class, String.class);
        builderBody = virtual(lookup, responseBuilder, "body", responseBuilder, responseBodyType);
        builderBuild = virtual(lookup, responseBuilder, "build", response);
        newResponseBuilder = generic(lookup.findConstructor(responseBuilder, MethodType.methodType(void.class)));
        Class<?> protocol = Class.forName("okhttp3.Protocol", false, loader);
        builderRequest = virtual(lookup, responseBuilder, "request", responseBuilder, request);
        builderProtocol = virtual(lookup, responseBuilder, "protocol", responseBuilder, protocol);
        builderCode = virtual(lookup, responseBuilder, "code", responseBuilder, int.class);
        builderMessage = virtual(lookup, responseBuilder, "message", responseBuilder, String.class);
        // the (MediaType, byte[]) and parse(String) statics exist in 3.x and, deprecated, in 4.x and 5.x
        mediaTypeParse = generic(lookup.findStatic(mediaType, "parse", MethodType.methodType(mediaType, String.class)));
        responseBodyOfBytes = generic(lookup.findStatic(responseBodyType, "create",
                MethodType.methodType(responseBodyType, mediaType, byte[].class)));
        http11 = protocol.getMethod("valueOf", String.class).invoke(null, "HTTP_1_1");
        Class<?> dispatcher = Class.forName("okhttp3.Dispatcher", false, loader);
        clientDispatcher = virtual(lookup, client, "dispatcher", dispatcher);
        dispatcherExecutor = virtual(lookup, dispatcher, "executorService", ExecutorService.class);
        callbackOnResponse = virtual(lookup, callback, "onResponse", void.class, call, response);
        callbackOnFailure = virtual(lookup, callback, "onFailure", void.class, call, IOException.class);
    }

    /**
     * The binding for the OkHttp copy that defined this call's class.
     *
     * @throws IllegalStateException when that copy cannot be bound
     */
    /** {@code Interceptor.Chain.call()}, per chain class. */
    private static final ClassValue<MethodHandle> CHAIN_CALL = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> chain) {
            try {
                Class<?> chainType = Class.forName("okhttp3.Interceptor$Chain", false, chain.getClassLoader());
                Class<?> call = Class.forName("okhttp3.Call", false, chain.getClassLoader());
                return generic(MethodHandles.publicLookup().findVirtual(chainType, "call", MethodType.methodType(call)));
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }
    };

    /** The call an interceptor chain belongs to, or null when it cannot be told. */
    static Object callOf(Object chain) throws Throwable {
        MethodHandle call = CHAIN_CALL.get(chain.getClass());
        return call == null ? null : call.invoke(chain);
    }

    static OkHttpApi of(Object call) {
        Object api = BY_CALL_CLASS.get(call.getClass());
        if (api instanceof OkHttpApi) {
            return (OkHttpApi) api;
        }
        throw (IllegalStateException) api;
    }

    /** A virtual method as a handle that takes and returns {@code Object}s, so call sites need no OkHttp types. */
    private static MethodHandle virtual(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> returns,
                                        Class<?>... params) throws ReflectiveOperationException {
        return generic(lookup.findVirtual(owner, name, MethodType.methodType(returns, params)));
    }

    /**
     * The getter of {@code RealCall}'s client: public {@code getClient()} in 4.x and 5.x, the
     * package-private field {@code client} in 3.x (readable because OkHttp's package is open, as
     * on the class path); null when neither can be reached.
     */
    private static MethodHandle clientOf(MethodHandles.Lookup lookup, Class<?> realCall, Class<?> client) {
        try {
            return virtual(lookup, realCall, "getClient", client);
        } catch (ReflectiveOperationException notPublic) {
            try {
                return generic(MethodHandles.privateLookupIn(realCall, MethodHandles.lookup())
                        .findGetter(realCall, "client", client));
            } catch (ReflectiveOperationException | RuntimeException hidden) {
                return null;
            }
        }
    }

    private static MethodHandle generic(MethodHandle mh) {
        return mh.asType(mh.type().generic());
    }

    // Call

    Object request(Object call) throws Throwable {
        return callRequest.invoke(call);
    }

    Object execute(Object call) throws Throwable {
        return callExecute.invoke(call);
    }

    void enqueue(Object call, Object callback) throws Throwable {
        callEnqueue.invoke(call, callback);
    }

    void cancel(Object call) throws Throwable {
        callCancel.invoke(call);
    }

    /**
     * A new call of the same client for the same request, which carries {@code traceparent} when it
     * is not null (a {@code clone()} cannot change headers); a clone when the client is out of reach.
     */
    Object newCallLike(Object call, String traceparent) throws Throwable {
        if (traceparent == null || callClient == null) {
            return callClone.invoke(call);
        }
        Object request = requestBuilderBuild.invoke(
                requestBuilderHeader.invoke(requestNewBuilder.invoke(request(call)), "traceparent", traceparent));
        return clientNewCall.invoke(callClient.invoke(call), request);
    }

    boolean isExecuted(Object call) throws Throwable {
        return (Boolean) callIsExecuted.invoke(call);
    }

    /** The call timeout ({@code callTimeout} of the client, or the app's own), 0 when none. */
    long timeoutMillis(Object call) throws Throwable {
        long nanos = (Long) timeoutNanos.invoke(callTimeout.invoke(call));
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    void setTimeoutMillis(Object call, long millis) throws Throwable {
        timeoutSet.invoke(callTimeout.invoke(call), millis, TimeUnit.MILLISECONDS);
    }

    // Request

    String method(Object request) throws Throwable {
        return (String) requestMethod.invoke(request);
    }

    Object url(Object request) throws Throwable {
        return requestUrl.invoke(request);
    }

    String host(Object url) throws Throwable {
        return (String) urlHost.invoke(url);
    }

    int port(Object url) throws Throwable {
        return (Integer) urlPort.invoke(url);
    }

    String urlText(Object url) throws Throwable {
        return (String) urlString.invoke(url);
    }

    URI uri(Object url) throws Throwable {
        return (URI) urlUri.invoke(url);
    }

    /** The request's API key (see {@link AiCalls#credential}), or null. */
    String credential(Object request) {
        return AiCalls.credential(name -> {
            try {
                return (String) requestHeader.invoke(request, name);
            } catch (Throwable e) {
                return null;
            }
        });
    }

    /** A WebSocket handshake: its 101 and the frames after it are not the request-response this adapter knows. */
    boolean isWebSocket(Object request) throws Throwable {
        return "websocket".equalsIgnoreCase(header(request, "Upgrade"));
    }

    /** The request's first value of this header, or null. */
    String header(Object request, String name) throws Throwable {
        return (String) requestHeader.invoke(request, name);
    }

    /** No body, or one that OkHttp itself may write more than once. */
    boolean replayable(Object request) throws Throwable {
        Object body = requestBody.invoke(request);
        return body == null || !((Boolean) bodyIsOneShot.invoke(body) || (Boolean) bodyIsDuplex.invoke(body));
    }

    /** The first bytes of a replayable body of known, modest length, written once more; else null. */
    byte[] bodyPrefix(Object request) throws Throwable {
        Object body = requestBody.invoke(request);
        if (body == null) {
            return null;
        }
        return RequestBodyPrefix.of(replayable(request), (Long) bodyContentLength.invoke(body), out -> {
            try {
                Object sink = okioBuffer.invoke(okioSink.invoke(out));
                bodyWriteTo.invoke(body, sink);
                sinkFlush.invoke(sink);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        });
    }

    // Response

    int code(Object response) throws Throwable {
        return (Integer) responseCode.invoke(response);
    }

    @SuppressWarnings("unchecked")
    Map<String, List<String>> headers(Object response) throws Throwable {
        return (Map<String, List<String>>) headersToMultimap.invoke(responseHeaders.invoke(response));
    }

    /**
     * Up to {@code limit + 1} bytes from the start of the body without consuming it (more than
     * {@code limit} means the body goes on): OkHttp holds them in the body's own source, so the app
     * still reads every byte. A read error is kept in the result, with the bytes that came before it;
     * the result's {@link PeekedBody#replay() replay} then yields them, throws that error, and closes
     * the response when closed.
     */
    PeekedBody peek(Object response, int limit) throws Throwable {
        Object body = responseBody.invoke(response);
        Object source = body == null ? null : responseBodySource.invoke(body);
        return PeekedBody.read(() -> source == null ? null : new Lookahead(response, source), limit + 1);
    }

    /** The response with its body read from {@code content} instead, same content type and length. */
    /** The response body's stream, or null when the response has none. */
    InputStream byteStream(Object response) throws Throwable {
        Object body = responseBody.invoke(response);
        return body == null ? null : (InputStream) responseBodyByteStream.invoke(body);
    }

    Object withBody(Object response, InputStream content) throws Throwable {
        Object body = responseBody.invoke(response);
        Object replaced = responseBodyCreate.invoke(responseBodyContentType.invoke(body),
                (Long) responseBodyContentLength.invoke(body), okioBufferSource.invoke(okioSource.invoke(content)));
        return builderBuild.invoke(builderBody.invoke(responseNewBuilder.invoke(response), replaced));
    }

    void close(Object response) throws Throwable {
        responseClose.invoke(response);
    }

    Object withHeader(Object response, String name, String value) throws Throwable {
        return builderBuild.invoke(builderHeader.invoke(responseNewBuilder.invoke(response), name, value));
    }

    /**
     * Where OkHttp calls an enqueued call's callback: its client's dispatcher threads, or a common
     * pool thread when the client is out of reach.
     */
    Executor callbackExecutor(Object call) {
        try {
            if (callClient != null) {
                return (Executor) dispatcherExecutor.invoke(clientDispatcher.invoke(callClient.invoke(call)));
            }
        } catch (Throwable e) {
            // fall through
        }
        return ForkJoinPool.commonPool();
    }

    /** A response made by aierr for {@code request}, never sent: these headers only, this body. */
    Object answer(Object request, int status, Map<String, String> headers, String contentType, byte[] body)
            throws Throwable {
        Object b = builderMessage.invoke(builderCode.invoke(builderProtocol.invoke(
                builderRequest.invoke(newResponseBuilder.invoke(), request), http11), status), "");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            b = builderHeader.invoke(b, h.getKey(), h.getValue());
        }
        Object type = contentType == null ? null : mediaTypeParse.invoke(contentType);
        return builderBuild.invoke(builderBody.invoke(b, responseBodyOfBytes.invoke(type, body)));
    }

    // Callback

    /** An {@code okhttp3.Callback} whose calls go to {@code handler}. */
    Object callback(InvocationHandler handler) {
        return Proxy.newProxyInstance(callbackType.getClassLoader(), new Class<?>[] {callbackType}, handler);
    }

    void onResponse(Object callback, Object call, Object response) throws Throwable {
        callbackOnResponse.invoke(callback, call, response);
    }

    void onFailure(Object callback, Object call, IOException failure) throws Throwable {
        callbackOnFailure.invoke(callback, call, failure);
    }

    /**
     * Reads a response body's source from its start without consuming it: each read asks the source
     * to hold one byte beyond those read so far, then copies what it holds. A read error thus comes
     * after every byte that arrived before it (okio 1's {@code peek()} asks for a whole segment at
     * once, and fails with the bytes it got unseen). Closing it closes the response.
     */
    private final class Lookahead extends InputStream {
        private final Object response;
        private final Object source;
        private long at;

        Lookahead(Object response, Object source) {
            this.response = response;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            try {
                if (!(Boolean) sourceRequest.invoke(source, at + 1)) {
                    return -1;
                }
                Object held = sourceBuffer.invoke(source);
                int n = (int) Math.min(length, (Long) bufferSize.invoke(held) - at);
                bufferCopyTo.invoke(held, new OutputStream() {
                    private int to = offset;

                    @Override
                    public void write(int b) {
                        into[to++] = (byte) b;
                    }

                    @Override
                    public void write(byte[] bytes, int from, int count) {
                        System.arraycopy(bytes, from, into, to, count);
                        to += count;
                    }
                }, at, (long) n);
                at += n;
                return n;
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                OkHttpApi.this.close(response);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }
    }
}
