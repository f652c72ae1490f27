package io.aierr.instrumentation.okhttp;

import io.aierr.instrumentation.MethodHook;
import io.aierr.instrumentation.TypeInstrumentation;

import java.util.List;

/**
 * Counts the requests an app's own <em>application interceptor</em> sends inside one call. Such an
 * interceptor (an SDK's retry loop, like Google Gen AI's) calls {@code chain.proceed} again within
 * the {@code execute()} that aierr wraps, so aierr would see one attempt where the server saw five.
 * {@code RetryAndFollowUpInterceptor} is OkHttp's first own interceptor, right below the app's
 * ones, and is entered once per proceed, in 3.x, 4.x and 5.x under the same name.
 */
public final class RetryAndFollowUpInstrumentation implements TypeInstrumentation {
    @Override
    public String typeName() {
        return "okhttp3.internal.http.RetryAndFollowUpInterceptor";
    }

    @Override
    public List<MethodHook> hooks() {
        return List.of(MethodHook.of("intercept", 1, MethodHook.Kind.ON_ENTRY, "okHttpSending"));
    }
}
