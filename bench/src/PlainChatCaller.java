import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** An app on java.net.http with no retries of its own: one shared client, sync {@code send}. */
final class PlainChatCaller implements ChatCaller {
    private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    // HTTP/1.1 spares every new connection the h2c upgrade attempt the JDK server ignores
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI chat;
    private final URI models;

    PlainChatCaller(String baseUrl) {
        chat = URI.create(baseUrl + "/chat/completions");
        models = URI.create(baseUrl + "/models");
    }

    @Override
    public void warmUp() throws Exception {
        client.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public String chat(Map<String, String> benchHeaders) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(chat)
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-bench")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        benchHeaders.forEach(request::header);
        return Integer.toString(client.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
