import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The startup benchmark's app: starts a local server, makes one GET with the client named by the
 * first argument ({@code jdk}, {@code okhttp} or {@code hc5}) and exits. With {@code ai} as second
 * argument the GET goes to a host the benchmark lists in aierr.endpoints; else to one it does not.
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
        String client = args.length > 0 ? args[0] : "jdk";
        String host = args.length > 1 && args[1].equals("ai") ? "localhost" : "127.0.0.1";
        String url = "http://" + host + ":" + server.getAddress().getPort() + "/v1/models";
        int status;
        switch (client) {
            case "okhttp":
                try (okhttp3.Response response = new okhttp3.OkHttpClient().newCall(
                        new okhttp3.Request.Builder().url(url).build()).execute()) {
                    status = response.code();
                }
                break;
            case "hc5":
                try (org.apache.hc.client5.http.impl.classic.CloseableHttpClient http =
                             org.apache.hc.client5.http.impl.classic.HttpClients.createDefault()) {
                    status = http.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(url),
                            response -> response.getCode());
                }
                break;
            default:
                status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
        }
        System.out.println("hello " + client + " " + status);
        server.stop(0);
        // OkHttp's dispatcher and pool threads would keep the JVM up for a minute
        System.exit(0);
    }
}
