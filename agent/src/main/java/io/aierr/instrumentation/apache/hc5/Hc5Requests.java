package io.aierr.instrumentation.apache.hc5;

import io.aierr.core.retry.AiCalls;
import io.aierr.core.Headers;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.MessageHeaders;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Timeout;

import java.net.URI;
import java.net.URISyntaxException;

/** Facts about an HttpClient 5 request and response that the classic and async calls both need. */
final class Hc5Requests {
    private Hc5Requests() {
    }

    /** The request's absolute URI; a request without authority goes to {@code target}. */
    static URI uri(Object target, HttpRequest request) throws URISyntaxException {
        if (request.getAuthority() == null && target instanceof HttpHost) {
            return new URI(((HttpHost) target).toURI() + request.getRequestUri());
        }
        return request.getUri();
    }

    /**
     * The response timeout that applies (the request's own config, else the context's, else the
     * client's default), in milliseconds, or 0 when there is none.
     */
    @SuppressWarnings("deprecation") // adapt(): castOrCreate() is only in 5.4+
    static long responseTimeoutMillis(RequestConfig requestConfig, HttpContext context, RequestConfig clientConfig) {
        RequestConfig config = requestConfig;
        if (config == null && context != null) {
            config = HttpClientContext.adapt(context).getRequestConfig();
        }
        if (config == null) {
            config = clientConfig;
        }
        Timeout timeout = config == null ? null : config.getResponseTimeout();
        return timeout == null ? 0 : Math.max(0, timeout.toMilliseconds());
    }

    static String credential(MessageHeaders message) {
        return AiCalls.credential(name -> {
            Header h = message.getFirstHeader(name);
            return h == null ? null : h.getValue();
        });
    }

    static Headers headers(MessageHeaders message) {
        Header[] headers = message.getHeaders();
        return Headers.ofPairs(headers.length, i -> headers[i].getName(), i -> headers[i].getValue());
    }
}
