package io.aierr.coordination.redis;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection to Redis speaking RESP2, used by one thread at a time. Hand-written instead of a
 * client library: the fleet needs six commands on one connection owned by one background thread,
 * while Jedis 8 brings commons-pool2, slf4j-api (whose "no providers" warning would land on the
 * app's stderr), org.json, gson and redis-authx-core, about 1.9 MB and 900 classes in the jar, and
 * Lettuce brings Netty and Reactor. This is a few kilobytes and starts in no time.
 *
 * <p>Every read waits at most the deadline given at {@link #open}: a slow Redis fails the call.
 */
final class RespConnection implements Closeable {
    /** An error reply ({@code -ERR ...}, {@code -WRONGPASS ...}, {@code -NOSCRIPT ...}). */
    static final class ErrorReply extends IOException {
        ErrorReply(String message) {
            super(message);
        }

        boolean is(String code) {
            return getMessage().startsWith(code + ' ') || getMessage().equals(code);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /**
     * Connects, authenticates and selects the database.
     *
     * @param connectMillis how long connecting, the TLS handshake and the log-in may take
     * @param deadlineMillis how long each call may take afterwards
     */
    static RespConnection open(RedisUrl url, int connectMillis, int deadlineMillis) throws IOException {
        Socket plain = new Socket();
        RespConnection c = null;
        try {
            plain.connect(new InetSocketAddress(url.host, url.port), connectMillis);
            plain.setSoTimeout(connectMillis);
            plain.setTcpNoDelay(true);
            Socket socket = plain;
            if (url.tls) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, url.host, url.port, true);
                javax.net.ssl.SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // check the certificate names the host
                tls.setSSLParameters(params);
                tls.startHandshake();
                socket = tls;
            }
            c = new RespConnection(socket);
            if (url.password != null) {
                if (url.user == null) {
                    c.call("AUTH", url.password);
                } else {
                    c.call("AUTH", url.user, url.password);
                }
            }
            if (url.database != 0) {
                c.call("SELECT", Integer.toString(url.database));
            }
            socket.setSoTimeout(deadlineMillis);
            return c;
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            } else {
                plain.close();
            }
            throw e;
        }
    }

    /**
     * Sends one command and reads its reply: a {@code String} (simple or bulk), a {@code Long}, a
     * {@code List} of those, or null.
     *
     * @throws ErrorReply for an error reply; the connection stays usable
     */
    Object call(String... args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        Object reply = read();
        if (reply instanceof ErrorReply) {
            throw (ErrorReply) reply;
        }
        return reply;
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                if (bytes.length < length + 2) {
                    throw new IOException("Redis closed the connection");
                }
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    Object item = read();
                    items.add(item instanceof ErrorReply ? null : item);
                }
                return items;
            }
            case -1:
                throw new IOException("Redis closed the connection");
            default:
                throw new IOException("not a Redis reply");
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new IOException("Redis closed the connection");
            }
            line.write(b);
        }
        in.read(); // '\n'
        return new String(line.toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
