package io.aierr.instrumentation.jdkhttp;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;

import static io.aierr.instrumentation.MethodHook.Kind.OUTCOME;
import static io.aierr.instrumentation.MethodHook.Kind.REPLACEMENT;

/**
 * Hooks {@code java.net.http.HttpClient} at {@code HttpClientFacade}, the object the app holds.
 * Its public {@code send}/{@code sendAsync} see each app call exactly once (the implementation
 * funnels them through one private method), and holding the facade during a retry wait keeps
 * the client alive even when the app dropped its own reference. {@code send} runs the whole call,
 * retries included, in the hook; {@code sendAsync} returns the hook's future. The original body
 * runs when the hook declines.
 */
public final class HttpClientFacadeInstrumentation implements TypeInstrumentation {
    @Override
    public String typeName() {
        return "jdk.internal.net.http.HttpClientFacade";
    }

    @Override
    public List<MethodHook> hooks() {
        return List.of(
                MethodHook.of("send", 2, OUTCOME, "jdkSend"),
                MethodHook.of("sendAsync", 2, REPLACEMENT, "jdkSendAsync"),
                MethodHook.of("sendAsync", 3, REPLACEMENT, "jdkSendAsync"));
    }
}
