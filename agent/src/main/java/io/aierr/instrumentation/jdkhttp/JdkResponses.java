package io.aierr.instrumentation.jdkhttp;

import io.aierr.core.Headers;
import io.aierr.core.retry.Responses;

import java.net.http.HttpResponse;

/**
 * How both JDK exchanges read a response. Their error bodies are judged as they stream into the
 * attempt's body handler, so a response to send again comes back already drained.
 */
abstract class JdkResponses<T> implements Responses<HttpResponse<T>, Exception> {
    @Override
    public int status(HttpResponse<T> response) {
        return response.statusCode();
    }

    @Override
    public Headers headers(HttpResponse<T> response) {
        return Headers.of(response.headers().map());
    }

    /** Nothing to release: the attempt's handler drained the body and dropped it. */
    @Override
    public void discard(HttpResponse<T> response) {
    }
}
