import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The startup benchmark's app: starts a local server, makes one GET with the JDK client, exits.
 * With {@code ai} as argument the GET goes to a path the benchmark lists in aierr.endpoints.
 */
public final class HelloAi {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"ok\":true}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        String host = args.length > 0 && args[0].equals("ai") ? "localhost" : "127.0.0.1";
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("hello " + response.statusCode());
        server.stop(0);
    }
}
