package io.aierr.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The application: one ordinary JDK-client POST per chat call, no retry logic of its own. It knows
 * nothing of aierr; whatever differs with the agent attached happens underneath it.
 */
final class ChatClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Sends the API's request to {@code baseUri} (the deployment the app is configured with). */
    HttpResponse<String> chat(URI baseUri, ChatApi api) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + api.path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(api.body));
        api.headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
