package io.aierr.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of a local server that can reset every connection it carries at once
 * (a TCP RST to the client, as a load balancer or a restarted pod does), so that a client finds its
 * kept-alive connection dead on the next request.
 */
public final class ResettingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    /** Connections reset so far. */
    public final AtomicInteger resets = new AtomicInteger();

    public ResettingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept, "resetting-proxy");
    }

    public String url(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    /** Host and port as {@code aierr.endpoints} wants them. */
    public String authority() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Resets every client connection: no FIN, an RST (linger 0), and closes its upstream side too. */
    public void resetAll() {
        for (Socket client : clients) {
            try {
                client.setSoLinger(true, 0);
                client.close();
                resets.incrementAndGet();
            } catch (IOException ignored) {
                // already gone
            }
        }
        clients.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                clients.add(client);
                daemon(() -> pump(client, upstream), "proxy-up");
                daemon(() -> pump(upstream, client), "proxy-down");
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Copies bytes one way until either side ends, then closes both. */
    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // one side closed or was reset
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        resetAll();
    }
}
