package io.aierr.instrumentation.jdkhttp;

import javax.net.ssl.SSLSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/**
 * An error response as the JDK client returns it when the app's subscriber has its body before the
 * body fails (an {@code InputStream}, a publisher): status, headers and that body, the failure
 * waiting in it. aierr builds it itself only when the client failed the exchange first (see
 * {@link AttemptHandler#bodyFirst}). It has no TLS session and no previous response to show.
 */
final class BodyFirstResponse<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final ResponseInfo info;
    private final T body;

    BodyFirstResponse(HttpRequest request, ResponseInfo info, T body) {
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
