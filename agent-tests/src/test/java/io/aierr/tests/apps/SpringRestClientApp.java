package io.aierr.tests.apps;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

import java.nio.charset.StandardCharsets;

/**
 * A Spring app posting a chat completion with {@code RestClient} on
 * {@code HttpComponentsClientHttpRequestFactory} (HttpClient 5 with its defaults), one client per
 * call. Knows nothing of aierr.
 */
public final class SpringRestClientApp {
    public static void main(String[] args) throws Exception {
        for (AppCall call : AppCall.parse(args)) {
            PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
            CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool).build();
            RestClient rest = RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(http)).build();
            call.begin();
            try {
                String body = rest.post().uri(call.url)
                        .contentType(MediaType.APPLICATION_JSON)
                        .header("authorization", "Bearer sk-test-not-a-real-key-123456")
                        .body(AppCall.CHAT_REQUEST)
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
            call.end(() -> pool.getTotalStats().getLeased());
            http.close();
        }
    }
}
