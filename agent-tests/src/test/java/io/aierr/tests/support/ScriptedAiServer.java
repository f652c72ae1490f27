package io.aierr.tests.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aierr.tests.apps.Signals;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A real local HTTP server that answers with a script of replies, in order; once the script is
 * used up it repeats the last reply. It records every request it receives. Once asked for its
 * {@link #signals()} folder it leaves a mark there each time it has sent a response whole
 * ({@code answered-1}, {@code answered-2}, ...), so that an app can act on that instead of after a
 * guessed time.
 */
public final class ScriptedAiServer implements AutoCloseable {
    /** Connections waiting to be accepted: a load of 200 callers connects at once. */
    private static final int BACKLOG = 1024;

    private final HttpServer server;
    private final Deque<Reply> script = new ConcurrentLinkedDeque<>();
    /** A queue, not a copy-on-write list: a load records a hundred thousand requests. */
    private final Queue<Recorded> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger received = new AtomicInteger();
    /** When set, the reply to each request, instead of the script. */
    private volatile Function<Recorded, Reply> answers;
    private volatile Reply last = Reply.status(200).json("{}");
    /** Once the script is played, these replies over and over, when set. */
    private volatile List<Reply> cycle;
    private final AtomicInteger cycled = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile Path signals;

    public ScriptedAiServer() throws IOException {
        server = LoopbackServer.start("scripted-ai-server", BACKLOG, this::handle);
    }

    public ScriptedAiServer then(Reply reply) {
        script.add(reply);
        return this;
    }

    /** Answers every request with what {@code answers} makes of it, e.g. a {@link LoadScript}. */
    public ScriptedAiServer answerWith(Function<Recorded, Reply> answers) {
        this.answers = answers;
        return this;
    }

    /** After the scripted replies, answers with these in turn, for ever. */
    public ScriptedAiServer cycle(Reply... replies) {
        cycle = List.of(replies);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Host and port as {@code aierr.endpoints} wants them. */
    public String authority() {
        return LoopbackServer.authority(server);
    }

    public String url(String path) {
        return "http://" + authority() + path;
    }

    public List<Recorded> requests() {
        return new ArrayList<>(requests);
    }

    public int requestCount() {
        return received.get();
    }

    /** The folder for the app's {@code signals=} option, where this server and the app leave marks ({@link Signals}). */
    public synchronized Path signals() {
        if (signals == null) {
            try {
                signals = Files.createTempDirectory("scripted-ai-server-signals");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return signals;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body,
                System.nanoTime(), exchange.getRemoteAddress().getPort());
        requests.add(recorded);
        received.incrementAndGet();
        Function<Recorded, Reply> answering = answers;
        Reply reply = answering != null ? answering.apply(recorded) : nextScripted();
        reply.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (reply.declaredLength > reply.body.length) {
            cutShort(exchange, reply);
            return;
        }
        try (OutputStream out = exchange.getResponseBody()) {
            if (reply.chunks != null) {
                exchange.sendResponseHeaders(reply.status, 0);
                for (int i = 0; i < reply.chunks.size(); i++) {
                    out.write(reply.chunks.get(i));
                    out.flush();
                    if (reply.untilRead && i == 0) {
                        recorded.restWaitedForTheApp = Signals.await(signals(), "first-line");
                    } else {
                        sleep(reply.pauseBetweenChunksMillis);
                    }
                }
            } else {
                exchange.sendResponseHeaders(reply.status, reply.body.length == 0 ? -1 : reply.body.length);
                out.write(reply.body);
            }
        } catch (IOException clientWentAway) {
            // the agent may cancel a response it decided to drop
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
        int n = answered.incrementAndGet();
        if (signals != null) {
            Signals.send(signals, "answered-" + n);
        }
    }

    /** The script's next reply, else the cycle's, else the last one again. */
    private Reply nextScripted() {
        Reply reply = script.poll();
        List<Reply> repeating = cycle;
        if (reply == null && repeating != null) {
            return repeating.get(Math.floorMod(cycled.getAndIncrement(), repeating.size()));
        }
        if (reply == null) {
            return last;
        }
        last = reply;
        return reply;
    }

    /**
     * Announces {@code declaredLength} bytes, sends fewer, then fails the exchange, upon which the
     * server closes the connection: the client meets the end of the stream mid-body.
     */
    private static void cutShort(HttpExchange exchange, Reply reply) throws IOException {
        exchange.sendResponseHeaders(reply.status, reply.declaredLength);
        OutputStream out = exchange.getResponseBody();
        out.write(reply.body);
        out.flush();
        throw new IOException("body cut short after " + reply.body.length + " of " + reply.declaredLength + " bytes");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (signals != null) {
            try (Stream<Path> marks = Files.walk(signals)) {
                marks.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary folder left behind
            }
        }
    }

    /** One scripted response. */
    public static final class Reply {
        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];
        List<byte[]> chunks;
        long pauseBetweenChunksMillis;
        /** When larger than the body: the Content-Length announced before the connection closes early. */
        long declaredLength = -1;
        boolean untilRead;

        private Reply(int status) {
            this.status = status;
        }

        public static Reply status(int status) {
            return new Reply(status);
        }

        public Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Reply json(String json) {
            headers.put("content-type", "application/json");
            body = json.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Reply text(String text) {
            headers.put("content-type", "text/plain; charset=utf-8");
            body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Reply bytes(byte[] bytes, String contentType) {
            headers.put("content-type", contentType);
            body = bytes;
            return this;
        }

        /**
         * Announces {@code contentLength} bytes but sends only the body set so far, then closes the
         * connection (a body that breaks mid-way).
         */
        public Reply cutShort(long contentLength) {
            declaredLength = contentLength;
            return this;
        }

        /**
         * A chunked body whose first piece is sent at once and the rest only once the app said it
         * has read a line of it (its {@code first-line} mark), or after {@link Signals#MAX_WAIT_MILLIS}:
         * {@link Recorded#restWaitedForTheApp} tells which. Nothing but the app's reading decides
         * the outcome, so a streamed body reaching the app as it arrives is shown on any machine.
         */
        public Reply streamedUntilRead(List<String> pieces, String contentType) {
            streamed(pieces, 0, contentType);
            untilRead = true;
            return this;
        }

        /** A chunked body written piece by piece with a pause after each (a slow body). */
        public Reply streamed(List<String> pieces, long pauseMillis, String contentType) {
            headers.put("content-type", contentType);
            chunks = new ArrayList<>();
            for (String p : pieces) {
                chunks.add(p.getBytes(StandardCharsets.UTF_8));
            }
            pauseBetweenChunksMillis = pauseMillis;
            return this;
        }
    }

    /** One request as the server received it. */
    public static final class Recorded {
        public final String method;
        public final String uri;
        public final Map<String, String> headers;
        public final byte[] body;
        public final long receivedNanos;
        /** The client's port: the same port on two requests means one kept-alive connection. */
        public final int clientPort;
        /**
         * For a {@link Reply#streamedUntilRead} answer: true once the app read the first piece
         * while the server still held the rest, i.e. the body was not buffered on its way to the app.
         */
        public volatile boolean restWaitedForTheApp;

        Recorded(String method, String uri, Map<String, String> headers, byte[] body, long receivedNanos,
                 int clientPort) {
            this.clientPort = clientPort;
            this.method = method;
            this.uri = uri;
            this.headers = headers;
            this.body = body;
            this.receivedNanos = receivedNanos;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
