package io.aierr.tests.apps;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.util.concurrent.CompletableFuture;

/**
 * An app that asks an SDK for a streamed chat answer, its own retries at their defaults, and prints
 * the deltas it got as {@code content}, {@code first-byte.ms} (to the first delta), and the exception
 * the SDK raised, if any (see {@link AppCall}). Knows nothing of aierr. Option client: openai
 * (openai-java createStreaming, OkHttp underneath), langchain4j (OpenAiStreamingChatModel, the JDK
 * client underneath).
 */
public final class SdkStreamingApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            call.begin();
            if ("langchain4j".equals(call.option("client", "openai"))) {
                langChain4j(call);
            } else {
                openAi(call);
            }
        }
    }

    private static void openAi(AppCall call) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(call.url).apiKey("sk-test-not-a-real-key-123456")
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI)
                .addUserMessage("hi").build();
        StringBuilder content = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text -> {
                if (content.length() == 0) {
                    call.firstByte();
                }
                content.append(text);
            })));
            call.print("content", content);
        } catch (RuntimeException e) {
            call.print("content", content);
            call.print("exception", e.getClass().getName());
        } finally {
            client.close();
        }
    }

    private static void langChain4j(AppCall call) throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(call.url)
                .apiKey("sk-test-not-a-real-key-123456").modelName("gpt-4o-mini").build();
        StringBuilder content = new StringBuilder();
        CompletableFuture<String> done = new CompletableFuture<>();
        model.chat("hi", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                if (content.length() == 0) {
                    call.firstByte();
                }
                content.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(null);
            }

            @Override
            public void onError(Throwable error) {
                done.complete(error.getClass().getName());
            }
        });
        String failure = done.get();
        call.print("content", content);
        if (failure != null) {
            call.print("exception", failure);
        }
    }

}
