package io.aierr.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The JDK's HTTP server on two loopback ports, one that aierr is told is OpenAI and one it is not,
 * both answering the same: 200 with a small chat completion, or, for {@link #ERROR_QUERY}, 400 with
 * OpenAI's {@code context_length_exceeded} body. It reads every request body to its end. Needs
 * {@code -Dsun.net.httpserver.nodelay=true}: without it the server's small writes meet delayed ACKs.
 */
final class LoopbackServer {
    static final String ERROR_QUERY = "status=400";
    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1733500000,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":512,\"completion_tokens\":1,\"total_tokens\":513}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TOO_LONG = ("{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens. "
            + "However, your messages resulted in 131072 tokens. Please reduce the length of the messages.\","
            + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private final HttpServer nonAi;
    private final HttpServer ai;

    private LoopbackServer(HttpServer nonAi, HttpServer ai) {
        this.nonAi = nonAi;
        this.ai = ai;
    }

    /** Port 0: any free port. */
    static LoopbackServer start(int nonAiPort, int aiPort) throws IOException {
        if (!Boolean.getBoolean("sun.net.httpserver.nodelay")) {
            throw new IllegalStateException("run with -Dsun.net.httpserver.nodelay=true");
        }
        return new LoopbackServer(serve(nonAiPort), serve(aiPort));
    }

    int nonAiPort() {
        return nonAi.getAddress().getPort();
    }

    int aiPort() {
        return ai.getAddress().getPort();
    }

    void stop() {
        nonAi.stop(0);
        ai.stop(0);
    }

    /** A chat request of {@code size} bytes: the prompt fills it up. */
    static byte[] chatRequest(int size) {
        String head = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"";
        String tail = "\"}]}";
        StringBuilder b = new StringBuilder(size).append(head);
        while (b.length() < size - tail.length()) {
            b.append("lorem ipsum ");
        }
        b.setLength(size - tail.length());
        byte[] bytes = b.append(tail).toString().getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != size) {
            throw new IllegalStateException("request of " + bytes.length + " bytes, wanted " + size);
        }
        return bytes;
    }

    private static HttpServer serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", LoopbackServer::answer);
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        boolean error = ERROR_QUERY.equals(exchange.getRequestURI().getRawQuery());
        byte[] reply = error ? TOO_LONG : COMPLETION;
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(error ? 400 : 200, reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }
}
