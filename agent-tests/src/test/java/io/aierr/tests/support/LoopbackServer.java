package io.aierr.tests.support;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** The JDK's HTTP server as the scripted test servers run it: a free loopback port, daemon threads, one handler. */
final class LoopbackServer {
    private LoopbackServer() {
    }

    /** Started, with every request on a daemon thread named {@code threadName}, so no test JVM waits for it at exit. */
    static HttpServer start(String threadName, int backlog, HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), backlog);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", handler);
        server.start();
        return server;
    }

    static String authority(HttpServer server) {
        return "127.0.0.1:" + server.getAddress().getPort();
    }
}
