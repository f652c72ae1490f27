package io.aierr.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the AI providers on 127.0.0.1, each provider on its own port (see
 * {@link ChatApi#port}). Each scenario lives under its own base path
 * ({@code /rate-limited/v1/chat/completions}), the way an app is pointed at one deployment, and
 * the endpoint counts the requests each scenario received.
 */
final class SimulatedAiEndpoint implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    /** A provider's port is taken. */
    static final class PortTaken extends IOException {
        final int port;

        PortTaken(int port, BindException cause) {
            super("port " + port + " is already in use", cause);
            this.port = port;
        }
    }

    private final Map<ChatApi, HttpServer> servers = new EnumMap<>(ChatApi.class);
    private final ExecutorService executor;
    /** Filled once for every scenario, so concurrent handlers only touch the counters. */
    private final Map<Scenario, AtomicInteger> hits = new EnumMap<>(Scenario.class);

    private SimulatedAiEndpoint() {
        for (Scenario s : Scenario.values()) {
            hits.put(s, new AtomicInteger());
        }
        // daemon threads: the JVM ends when the app's main does, as a real app would
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "simulated-ai-endpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /** @throws PortTaken when one of the ports is taken (none stays open then) */
    static SimulatedAiEndpoint start(int port) throws IOException {
        // without it headers and body leave in two small writes and each call waits ~40 ms for a delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        SimulatedAiEndpoint endpoint = new SimulatedAiEndpoint();
        try {
            for (ChatApi api : ChatApi.values()) {
                endpoint.serve(api, api.port(port));
            }
        } catch (IOException e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    private void serve(ChatApi api, int port) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, port), 0);
        } catch (BindException e) {
            throw new PortTaken(port, e);
        }
        server.createContext("/", exchange -> handle(api, exchange));
        server.setExecutor(executor);
        server.start();
        servers.put(api, server);
    }

    URI baseUri(Scenario scenario) {
        return URI.create("http://" + HOST + ":" + servers.get(scenario.api).getAddress().getPort() + "/"
                + scenario.pathSegment);
    }

    int hits(Scenario scenario) {
        return hits.get(scenario).get();
    }

    private void handle(ChatApi api, HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            Scenario scenario = Scenario.byPathSegment(firstSegment(exchange.getRequestURI().getPath()));
            Reply reply = scenario == null || scenario.api != api
                    ? Reply.json(404, "{\"detail\":\"Not Found\"}")
                    : scenario.reply(hits.get(scenario).incrementAndGet());
            send(exchange, reply);
        }
    }

    private static String firstSegment(String path) {
        int end = path.indexOf('/', 1);
        return end < 0 ? path.substring(1) : path.substring(1, end);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach(exchange.getResponseHeaders()::add);
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException clientWentAway) {
            // a client may drop a response it does not want; nothing to do here
        }
    }

    @Override
    public void close() {
        servers.values().forEach(s -> s.stop(0));
        executor.shutdownNow();
    }
}
