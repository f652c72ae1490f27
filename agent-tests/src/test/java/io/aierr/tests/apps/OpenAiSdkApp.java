package io.aierr.tests.apps;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import java.util.concurrent.CompletionException;

/**
 * An app that uses the official OpenAI Java SDK (OkHttp underneath, with its own retries left at
 * their default) and prints what each chat completion returned or threw as {@code name.key=value}.
 * Arguments: {@code call=name baseUrl} (repeatable), {@code mode=sync|async}.
 */
public final class OpenAiSdkApp {
    public static void main(String[] args) {
        boolean async = false;
        for (String a : args) {
            if (a.equals("mode=async")) {
                async = true;
            }
        }
        for (String a : args) {
            if (a.startsWith("call=")) {
                String[] call = a.substring("call=".length()).split(" ", 2);
                complete(call[0], call[1], async);
            }
        }
    }

    private static void complete(String name, String baseUrl, boolean async) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("sk-test-not-a-real-key-123456")
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addUserMessage("hi")
                .build();
        try {
            ChatCompletion completion = async
                    ? client.async().chat().completions().create(params).join()
                    : client.chat().completions().create(params);
            System.out.println(name + ".content=" + completion.choices().get(0).message().content().orElse(""));
        } catch (RuntimeException e) {
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            System.out.println(name + ".exception=" + t.getClass().getName());
            if (t instanceof OpenAIServiceException) {
                System.out.println(name + ".status=" + ((OpenAIServiceException) t).statusCode());
            }
        } finally {
            client.close();
        }
    }
}
