package io.aierr.tests.apps;

import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import java.time.Duration;

/**
 * An app that asks Spring AI's OpenAI chat model for one answer per call, the call's url being the
 * API's base URL, on Spring's {@code RestClient} over the JDK client (what Spring picks when no
 * other HTTP library is present; it sends bodies through {@code BodyPublishers.fromPublisher}).
 * Prints the answer or the exception's class, and the call's time (see {@link AppCall}).
 */
public final class SpringAiChatApp {
    /** Spring AI's default retry template (10 attempts on its transient errors), with short waits. */
    static RetryTemplate retryTemplate() {
        return RetryTemplate.builder()
                .maxAttempts(10)
                .retryOn(TransientAiException.class)
                .retryOn(ResourceAccessException.class)
                .exponentialBackoff(Duration.ofMillis(10), 2, Duration.ofMillis(40))
                .build();
    }

    public static void main(String[] args) {
        for (AppCall call : AppCall.parse(args)) {
            OpenAiApi api = OpenAiApi.builder()
                    .baseUrl(call.url)
                    .apiKey("sk-test-not-a-real-key-123456")
                    .restClientBuilder(RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()))
                    .build();
            OpenAiChatModel model = OpenAiChatModel.builder()
                    .openAiApi(api)
                    .defaultOptions(OpenAiChatOptions.builder().model("gpt-4o-mini").build())
                    .retryTemplate(retryTemplate())
                    .build();
            call.begin();
            try {
                call.print("content", model.call("hi"));
            } catch (RuntimeException e) {
                FrameworkOutcome.failed(call, e);
            }
            call.print("elapsed.ms", call.elapsedMillis());
        }
    }
}
