import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/**
 * Per-call cost: sequential JDK-client POSTs to a local server answering 200, timed in-process.
 * Argument: the host to call (127.0.0.1 is not an AI endpoint; localhost is listed as one by the
 * benchmark script). Prints median and p99 microseconds per call.
 */
public final class CallOverhead {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        // without it the JDK server's small writes meet delayed ACKs and every call takes ~40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int warmup = 3000;
        int measured = 5000;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] reply = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}".getBytes();
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + host + ":" + server.getAddress().getPort() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"))
                .build();
        long[] micros = new long[measured];
        for (int i = 0; i < warmup + measured; i++) {
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
}
