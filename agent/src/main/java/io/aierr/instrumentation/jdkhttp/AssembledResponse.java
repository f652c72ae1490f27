package io.aierr.instrumentation.jdkhttp;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * A response aierr assembles itself from a status, headers and the body the app's own
 * {@code BodyHandler} made of them: an error response whose body the app's subscriber holds when
 * the client failed the exchange first (see {@link AttemptHandler#bodyFirst}), or the copied answer
 * of a call aierr refused to send (see {@link RefusedResponse}). It has no TLS session and no
 * previous response to show.
 */
final class AssembledResponse<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final ResponseInfo info;
    private final T body;

    AssembledResponse(HttpRequest request, ResponseInfo info, T body) {
        this.request = request;
        this.info = info;
        this.body = body;
    }

    @Override
    public int statusCode() {
        return info.statusCode();
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
        return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
        return info.headers();
    }

    @Override
    public T body() {
        return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return Optional.empty();
    }

    @Override
    public URI uri() {
        return request.uri();
    }

    @Override
    public HttpClient.Version version() {
        return info.version();
    }

    @Override
    public String toString() {
        return "(" + request.method() + " " + request.uri() + ") " + statusCode();
    }
}
