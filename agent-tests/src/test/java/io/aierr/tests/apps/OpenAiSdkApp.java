package io.aierr.tests.apps;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import java.util.concurrent.CompletionException;

/**
 * An app that uses the official OpenAI Java SDK (OkHttp underneath, its own retries left at their
 * default) for one chat completion per call, the call's url being the SDK's base URL, and prints
 * what each returned or threw (see {@link AppCall}). Options: mode (sync|async).
 */
public final class OpenAiSdkApp {
    public static void main(String[] args) {
        for (AppCall call : AppCall.parse(args)) {
            complete(call);
        }
    }

    private static void complete(AppCall call) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(call.url).apiKey("sk-test-not-a-real-key-123456")
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("hi")
                .build();
        try {
            ChatCompletion completion = "async".equals(call.option("mode", "sync"))
                    ? client.async().chat().completions().create(params).join()
                    : client.chat().completions().create(params);
            call.print("content", completion.choices().get(0).message().content().orElse(""));
        } catch (RuntimeException e) {
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            call.print("exception", t.getClass().getName());
            if (t instanceof OpenAIServiceException) {
                call.print("status", ((OpenAIServiceException) t).statusCode());
            }
        } finally {
            client.close();
        }
    }
}
