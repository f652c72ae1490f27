package io.aierr.instrumentation.apache.hc4;

import org.apache.http.client.methods.CloseableHttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The app's response, whose entity aierr replaced, with a close that also closes the stream the app
 * was handed. A 4.5 response's own close frees the connection (aborting it when the body was not read
 * to its end) but reaches neither the entity nor its stream, so aierr would not learn that the app is
 * done with the body (an app that stops reading a stream at {@code [DONE]} and closes the response).
 * The stream is closed after the response: the connection is gone or back in the pool by then, so
 * nothing is drained, and a failure of that late close is aierr's, never the app's. Every other
 * method is the response's own; equality stays identity, as for the client's response.
 */
final class StreamClosingResponse implements InvocationHandler {
    private final CloseableHttpResponse response;
    private final InputStream content;

    private StreamClosingResponse(CloseableHttpResponse response, InputStream content) {
        this.response = response;
        this.content = content;
    }

    static CloseableHttpResponse of(CloseableHttpResponse response, InputStream content) {
        return (CloseableHttpResponse) Proxy.newProxyInstance(CloseableHttpResponse.class.getClassLoader(),
                new Class<?>[] {CloseableHttpResponse.class}, new StreamClosingResponse(response, content));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        // the client's response is equal only to itself: so is this one
        if (method.getName().equals("equals") && args != null && args.length == 1) {
            return proxy == args[0];
        }
        if (method.getName().equals("hashCode") && args == null) {
            return System.identityHashCode(proxy);
        }
        try {
            return method.invoke(response, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            if (args == null && "close".equals(method.getName())) {
                try {
                    content.close();
                } catch (IOException | RuntimeException e) {
                    // the connection is freed already; only aierr's reading ends here
                }
            }
        }
    }
}
