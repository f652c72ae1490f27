package io.aierr.tests.apps;

import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;

/**
 * An app on an SDK whose retry loop is an OkHttp <em>application interceptor</em>, shaped like
 * Google Gen AI SDK's {@code RetryInterceptor}: up to 5 attempts on 408, 429, 500, 502, 503 and
 * 504, exponential backoff (here 10 ms doubling up to 80 ms instead of 1 s up to 60 s). All of an
 * SDK call's resends happen inside one {@code Call.execute}. The SDK turns an error response into
 * its own exception types. Prints the answer or the exception's class, and the call's time (see {@link AppCall}).
 * Runs on OkHttp 4.
 */
public final class RetryingInterceptorApp {
    static final MediaType JSON = MediaType.get("application/json");

    /** The SDK's retry loop. */
    static final class RetryInterceptor implements Interceptor {
        private static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);
        private static final int MAX_ATTEMPTS = 5;

        @Override
        public Response intercept(Chain chain) throws IOException {
            Request request = chain.request();
            long wait = 10;
            for (int attempt = 1; ; attempt++) {
                Response response = chain.proceed(request);
                if (attempt >= MAX_ATTEMPTS || !RETRYABLE.contains(response.code())) {
                    return response;
                }
                response.close();
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting to retry");
                }
                wait = Math.min(wait * 2, 80);
            }
        }
    }

    /** The SDK's error for a response it does not accept. */
    static class ApiException extends RuntimeException {
        ApiException(int status, String body) {
            super(status + " " + body);
        }
    }

    static final class ClientException extends ApiException {
        ClientException(int status, String body) {
            super(status, body);
        }
    }

    static final class ServerException extends ApiException {
        ServerException(int status, String body) {
            super(status, body);
        }
    }

    public static void main(String[] args) throws IOException {
        for (AppCall call : AppCall.parse(args)) {
            OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new RetryInterceptor()).build();
            Request request = new Request.Builder().url(call.url)
                    .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                    .post(RequestBody.create(AppCall.CHAT_REQUEST, JSON))
                    .build();
            call.begin();
            try (Response response = client.newCall(request).execute()) {
                String body = response.body().string();
                if (response.header("x-aierr-refused") != null) {
                    call.print("refused", response.header("x-aierr-refused"));
                }
                if (response.code() >= 500) {
                    throw new ServerException(response.code(), body);
                } else if (response.code() >= 400) {
                    throw new ClientException(response.code(), body);
                }
                call.print("content", FrameworkOutcome.text(body));
            } catch (RuntimeException | IOException e) {
                FrameworkOutcome.failed(call, e);
            } finally {
                call.print("elapsed.ms", call.elapsedMillis());
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        }
    }
}
