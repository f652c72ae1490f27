package io.aierr.tests.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A hand-written retry loop on {@code java.net.http}: a 503 is retried three times (four requests
 * at most) with a short pause; any other answer is final. An error status is not an exception
 * here, so the app's outcome is the status it ends with. Prints the answer or {@code status=}, and
 * the call's time (see {@link AppCall}).
 */
public final class RetryLoopApp {
    private static final int RETRIES = 3;

    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (AppCall call : AppCall.parse(args)) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(call.url))
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                    .POST(HttpRequest.BodyPublishers.ofString(AppCall.CHAT_REQUEST))
                    .build();
            call.begin();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                for (int retry = 1; retry <= RETRIES && response.statusCode() == 503; retry++) {
                    Thread.sleep(10L * retry);
                    response = client.send(request, HttpResponse.BodyHandlers.ofString());
                }
                response.headers().firstValue("x-aierr-refused").ifPresent(r -> call.print("refused", r));
                if (response.statusCode() == 200) {
                    call.print("content", FrameworkOutcome.text(response.body()));
                } else {
                    call.print("status", response.statusCode());
                }
            } catch (Exception e) {
                FrameworkOutcome.failed(call, e);
            }
            call.print("elapsed.ms", call.elapsedMillis());
        }
    }
}
