import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Flow;

/**
 * Per-call cost: sequential JDK-client POSTs to a local server answering 200, timed in-process.
 * Arguments: the host to call (127.0.0.1 is not an AI endpoint; localhost is listed as one by the
 * benchmark script), the request body's size in bytes, and how the body is published:
 * {@code string} (a body the client can re-create) or {@code publisher} (a one-shot
 * {@code fromPublisher} body, which aierr captures on its way out so that it could replay it).
 * The server also answers the OTLP paths with 200, so an agent exporting to it pays its real
 * export cost. Prints the median and p99 microseconds per call.
 */
public final class CallOverhead {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int size = Integer.parseInt(args[1]);
        boolean oneShot = args[2].equals("publisher");
        int port = Integer.parseInt(System.getProperty("bench.port", "0"));
        // without it the JDK server's small writes meet delayed ACKs and every call takes ~40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int warmup = size > 100_000 ? 300 : 3000;
        int measured = size > 100_000 ? 1000 : 5000;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        byte[] reply = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{"
                + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1,\"total_tokens\":13}}").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        byte[] body = body(size);
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/v1/chat/completions");
        long[] micros = new long[measured];
        for (int i = 0; i < warmup + measured; i++) {
            HttpRequest request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                    .POST(oneShot ? oneShot(body) : HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long start = System.nanoTime();
            client.send(request, HttpResponse.BodyHandlers.ofString());
            if (i >= warmup) {
                micros[i - warmup] = (System.nanoTime() - start) / 1000;
            }
        }
        Arrays.sort(micros);
        System.out.println(micros[measured / 2] + " " + micros[measured * 99 / 100]);
        server.stop(0);
    }

    /** A chat request of about {@code size} bytes: the prompt fills it up. */
    private static byte[] body(int size) {
        String head = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"";
        String tail = "\"}]}";
        StringBuilder b = new StringBuilder(size).append(head);
        while (b.length() < size - tail.length()) {
            b.append("lorem ipsum ");
        }
        b.setLength(Math.max(head.length(), size - tail.length()));
        return b.append(tail).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Like Spring's RestClient body: a publisher the client cannot ask for a second time. */
    private static HttpRequest.BodyPublisher oneShot(byte[] body) {
        Flow.Publisher<ByteBuffer> publisher = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int sent;
            private boolean done;

            @Override
            public void request(long n) {
                for (long i = 0; i < n && !done; i++) {
                    byte[] chunk = Arrays.copyOfRange(body, sent, Math.min(body.length, sent + 16 * 1024));
                    sent += chunk.length;
                    if (chunk.length == 0) {
                        done = true;
                        subscriber.onComplete();
                    } else {
                        subscriber.onNext(ByteBuffer.wrap(chunk));
                    }
                }
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
        return HttpRequest.BodyPublishers.fromPublisher(publisher, body.length);
    }
}
