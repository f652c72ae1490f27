package io.aierr.tests.apps;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * An app that asks a LangChain4j chat model (JDK http client underneath, the model's own retries
 * at their default of two, i.e. three tries) for one answer per call, the call's url being the
 * model's base URL, and prints the answer or the exception's class, and the call's time (see
 * {@link AppCall}).
 * Options: provider (openai|anthropic).
 */
public final class LangChain4jChatApp {
    public static void main(String[] args) {
        for (AppCall call : AppCall.parse(args)) {
            ChatModel model = "anthropic".equals(call.option("provider", "openai"))
                    ? AnthropicChatModel.builder().baseUrl(call.url).apiKey("sk-ant-test-not-a-real-key-123456")
                            .modelName("claude-3-5-haiku-20241022").maxTokens(64).maxRetries(2).build()
                    : OpenAiChatModel.builder().baseUrl(call.url).apiKey("sk-test-not-a-real-key-123456")
                            .modelName("gpt-4o-mini").maxRetries(2).build();
            call.begin();
            try {
                call.print("content", model.chat("hi"));
            } catch (RuntimeException e) {
                FrameworkOutcome.failed(call, e);
            }
            call.print("elapsed.ms", call.elapsedMillis());
        }
    }
}
