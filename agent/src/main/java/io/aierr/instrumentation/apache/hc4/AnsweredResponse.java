package io.aierr.instrumentation.apache.hc4;

import org.apache.http.HttpVersion;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.message.BasicHttpResponse;

/** A response aierr answers a call with, without sending it: nothing to release on close. */
final class AnsweredResponse extends BasicHttpResponse implements CloseableHttpResponse {
    AnsweredResponse(int status) {
        super(HttpVersion.HTTP_1_1, status, "");
    }

    @Override
    public void close() {
        // no connection behind it
    }
}
