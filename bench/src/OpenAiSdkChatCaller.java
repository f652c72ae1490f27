import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import java.util.Map;

/**
 * An app on the official OpenAI Java SDK (OkHttp underneath), left at its defaults: 2 retries on
 * 429, waiting retry-after-ms / retry-after when given, else 0.5 s * 2^n with up to -25 % jitter.
 */
final class OpenAiSdkChatCaller implements ChatCaller {
    private final OpenAIClient client;

    OpenAiSdkChatCaller(String baseUrl) {
        client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("sk-bench").build();
    }

    @Override
    public void warmUp() {
        client.models().list();
    }

    @Override
    public String chat(Map<String, String> benchHeaders, Ask ask) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini")
                .addUserMessage(ask.prompt());
        if (ask.maxTokens() > 0) {
            params.maxCompletionTokens(ask.maxTokens());
        }
        benchHeaders.forEach(params::putAdditionalHeader);
        try {
            client.chat().completions().create(params.build());
            return "200";
        } catch (OpenAIServiceException e) {
            return Integer.toString(e.statusCode());
        }
    }
}
