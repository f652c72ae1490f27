package io.aierr.tests.apps;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.util.concurrent.ExecutionException;

/**
 * An ordinary app making several JDK client calls, one client for all of them, and printing what
 * each saw (see {@link AppCall}), so that one forked JVM plays a whole {@code ScenarioTable}. Knows
 * nothing of aierr. Call options: mode (send|async), handler (string|bytes|stream|lines|publisher|file,
 * see {@link JdkClientApp}), read (bytes|counted|digest, for the stream handler; see {@link AppCall#read}).
 */
public final class JdkTableApp {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (AppCall call : AppCall.parse(args)) {
            run(client, call);
        }
    }

    private static void run(HttpClient client, AppCall call) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(call.url))
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                .POST(HttpRequest.BodyPublishers.ofString(AppCall.CHAT_REQUEST))
                .build();
        call.begin();
        try {
            BodyHandler<?> handler = JdkClientApp.bodyHandler(call.option("handler", "string"));
            HttpResponse<?> response;
            if ("async".equals(call.option("mode", "send"))) {
                try {
                    response = client.sendAsync(request, handler).get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            } else {
                response = client.send(request, handler);
            }
            call.status(response.statusCode(), response.headers().firstValue("x-last").orElse(null));
            if (response.body() instanceof InputStream) {
                try (InputStream in = (InputStream) response.body()) {
                    call.body(call.read(in));
                }
            } else {
                call.body(JdkClientApp.bytesOf(response.body(), call::lineMark));
            }
        } catch (Exception e) {
            call.failed(e);
        }
        call.end(() -> 0);
    }
}
