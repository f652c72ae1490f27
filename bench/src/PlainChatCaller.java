import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** An app on java.net.http with no retries of its own: one shared client, sync {@code send}. */
final class PlainChatCaller implements ChatCaller {
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
    public String chat(Map<String, String> benchHeaders, Ask ask) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(chat)
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-bench")
                .POST(HttpRequest.BodyPublishers.ofString(body(ask)));
        benchHeaders.forEach(request::header);
        return Integer.toString(client.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /** The prompt goes in as is: the benchmark's prompts are plain words, nothing JSON would escape. */
    static String body(Ask ask) {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + ask.prompt() + "\"}]"
                + (ask.maxTokens() > 0 ? ",\"max_tokens\":" + ask.maxTokens() : "") + "}";
    }
}
