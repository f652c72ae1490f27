package io.aierr.tests.apps;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * A Spring app posting a chat completion with {@code RestClient}, one client per call, on
 * {@code HttpComponentsClientHttpRequestFactory} (HttpClient 5 with its defaults), or with the call
 * option {@code factory=jdk} on {@code JdkClientHttpRequestFactory} (the JDK client, which Spring
 * hands the body as {@code BodyPublishers.fromPublisher}). Call option {@code request-size} pads the
 * request. Knows nothing of aierr.
 */
public final class SpringRestClientApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            ClientHttpRequestFactory factory;
            IntSupplier leased;
            AutoCloseable closer;
            if ("jdk".equals(call.option("factory", "hc5"))) {
                HttpClient jdk = HttpClient.newHttpClient();
                factory = new JdkClientHttpRequestFactory(jdk);
                leased = () -> 0;
                closer = () -> { };
            } else {
                PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
                CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool).build();
                factory = new HttpComponentsClientHttpRequestFactory(http);
                leased = () -> pool.getTotalStats().getLeased();
                closer = http;
            }
            RestClient rest = RestClient.builder().requestFactory(factory).build();
            String request = new String(call.requestBody(), StandardCharsets.UTF_8);
            call.begin();
            try {
                String body = rest.post().uri(call.url)
                        .contentType(MediaType.APPLICATION_JSON)
                        .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                        .body(request)
                        .retrieve()
                        .body(String.class);
                call.status(200, null);
                call.body(body.getBytes(StandardCharsets.UTF_8));
            } catch (RestClientResponseException e) {
                call.status(e.getStatusCode().value(), null);
                call.body(e.getResponseBodyAsByteArray());
            } catch (Exception e) {
                call.failed(e);
            }
            call.end(leased);
            closer.close();
        }
    }
}
