package io.aierr.tests.apps;

import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * An ordinary app calling with HttpClient 5 async, its client built with the defaults (own retry
 * strategy on), one client and pool per call. Call options: api (simple: SimpleHttpRequest and the
 * buffering consumer | stream: a request producer and a streaming response consumer), request-body
 * (string|stream: a producer that cannot repeat, of known length|chunked: the same of unknown
 * length), request-size (pads the chat request to this many bytes), read (bytes|lines: the streaming consumer, which
 * prints when data arrives), timeout-ms, client (pooled|minimal), cancel-when (a mark of the server's,
 * see {@link Signals}) with linger-ms.
 */
public final class Hc5AsyncApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            run(call);
        }
    }

    private static void run(AppCall call) throws Exception {
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create().build();
        CloseableHttpAsyncClient client = "minimal".equals(call.option("client", "pooled"))
                ? HttpAsyncClients.createMinimal(pool)
                : HttpAsyncClients.custom().setConnectionManager(pool).build();
        client.start();
        RequestConfig.Builder config = RequestConfig.custom();
        if (call.has("timeout-ms")) {
            config.setResponseTimeout(Timeout.ofMilliseconds(call.number("timeout-ms")));
        }
        boolean streaming = "stream".equals(call.option("api", "simple")) || "lines".equals(call.option("read", "bytes"))
                || !"string".equals(call.option("request-body", "string"));
        call.begin();
        try {
            Future<Result> future;
            if (streaming) {
                HttpClientContext context = HttpClientContext.create();
                context.setRequestConfig(config.build());
                future = client.execute(AsyncRequestBuilder.post(call.url)
                        .setHeader("authorization", "Bearer sk-test-not-a-real-key-123456")
                        .setEntity(requestBody(call)).build(), new StreamingConsumer(call), context, null);
            } else {
                SimpleHttpRequest request = SimpleRequestBuilder.post(call.url)
                        .setHeader("authorization", "Bearer sk-test-not-a-real-key-123456")
                        .setBody(call.requestBody(), ContentType.APPLICATION_JSON).build();
                request.setConfig(config.build());
                Future<SimpleHttpResponse> simple = client.execute(request, null);
                future = new Mapped(simple);
            }
            if (call.has("cancel-when")) {
                Signals.awaitAndSettle(call.signals(), call.option("cancel-when", null));
                call.print("cancelled", future.cancel(true));
                // as long as a retry the cancel failed to stop would take to reach the server
                Thread.sleep(call.number("linger-ms"));
            } else {
                Result result = future.get();
                call.status(result.status, result.lastHeader);
                call.body(result.body);
            }
        } catch (ExecutionException e) {
            call.failed(e.getCause());
        } catch (Exception e) {
            call.failed(e);
        }
        call.end(() -> pool.getTotalStats().getLeased());
        client.close();
    }

    private static AsyncEntityProducer requestBody(AppCall call) {
        byte[] json = call.requestBody();
        return switch (call.option("request-body", "string")) {
            case "stream" -> new OneShotProducer(json, false);
            case "chunked" -> new OneShotProducer(json, true);
            default -> new BasicAsyncEntityProducer(json, ContentType.APPLICATION_JSON);
        };
    }

    /** A body streamed from somewhere that cannot be rewound: it is produced once, and never again. */
    private static final class OneShotProducer implements AsyncEntityProducer {
        private final ByteBuffer body;
        private final boolean chunked;
        private boolean ended;

        OneShotProducer(byte[] body, boolean chunked) {
            this.body = ByteBuffer.wrap(body);
            this.chunked = chunked;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public String getContentType() {
            return ContentType.APPLICATION_JSON.toString();
        }

        @Override
        public long getContentLength() {
            return chunked ? -1 : body.capacity();
        }

        @Override
        public String getContentEncoding() {
            return null;
        }

        @Override
        public boolean isChunked() {
            return chunked;
        }

        @Override
        public java.util.Set<String> getTrailerNames() {
            return java.util.Set.of();
        }

        @Override
        public int available() {
            return body.remaining();
        }

        @Override
        public void produce(org.apache.hc.core5.http.nio.DataStreamChannel channel) throws java.io.IOException {
            if (body.hasRemaining()) {
                channel.write(body);
            }
            if (!body.hasRemaining() && !ended) {
                ended = true;
                channel.endStream();
            }
        }

        @Override
        public void failed(Exception cause) {
        }

        @Override
        public void releaseResources() {
        }
    }

    private record Result(int status, String lastHeader, byte[] body) {
        static String last(HttpResponse response) {
            Header h = response.getFirstHeader("x-last");
            return h == null ? null : h.getValue();
        }
    }

    /** The SimpleHttpRequest call's future, seen as the same result as the streaming one. */
    private record Mapped(Future<SimpleHttpResponse> future) implements Future<Result> {
        public boolean cancel(boolean mayInterrupt) {
            return future.cancel(mayInterrupt);
        }

        public boolean isCancelled() {
            return future.isCancelled();
        }

        public boolean isDone() {
            return future.isDone();
        }

        public Result get() throws InterruptedException, ExecutionException {
            SimpleHttpResponse r = future.get();
            return new Result(r.getCode(), Result.last(r), r.getBodyBytes() == null ? new byte[0] : r.getBodyBytes());
        }

        public Result get(long timeout, java.util.concurrent.TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }

    /** Takes the body as it arrives and says when the first and the last bytes came. */
    private static final class StreamingConsumer extends AbstractBinResponseConsumer<Result> {
        private final AppCall call;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private HttpResponse response;

        StreamingConsumer(AppCall call) {
            this.call = call;
        }

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            this.response = response;
        }

        @Override
        protected int capacityIncrement() {
            return Integer.MAX_VALUE;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            if (src.hasRemaining() && body.size() == 0) {
                call.print("first-line.ms", call.elapsedMillis());
                Signals.send(call.signals(), "first-line");
            }
            byte[] chunk = new byte[src.remaining()];
            src.get(chunk);
            body.write(chunk, 0, chunk.length);
            if (endOfStream) {
                call.print("last-line.ms", call.elapsedMillis());
            }
        }

        @Override
        protected Result buildResult() {
            return new Result(response.getCode(), Result.last(response), body.toByteArray());
        }

        @Override
        public void releaseResources() {
        }
    }
}
