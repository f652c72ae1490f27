package io.aierr.instrumentation.jdkhttp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The per-attempt copy that carries aierr's traceparent: the JDK 16+ copy, and aierr's own for JDK 11 to 15. */
class JdkRequestsTest {
    private static final String OURS = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";

    static Stream<Object[]> copies() {
        BiFunction<HttpRequest, String, HttpRequest> jdk = JdkRequests::withTraceparent;
        BiFunction<HttpRequest, String, HttpRequest> own = (request, traceparent) -> JdkRequests
                .copyOf(request, (name, value) -> !name.equalsIgnoreCase("traceparent"))
                .header("traceparent", traceparent).build();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}");
        List<HttpRequest> requests = List.of(
                HttpRequest.newBuilder(URI.create("https://api.openai.com/v1/chat/completions?x=1"))
                        .header("Authorization", "Bearer sk-test")
                        .header("x-multi", "a").header("x-multi", "b")
                        .header("Traceparent", "00-11111111111111111111111111111111-2222222222222222-01")
                        .timeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).expectContinue(true)
                        .POST(body).build(),
                HttpRequest.newBuilder(URI.create("http://h/v1/models")).GET().build(),
                HttpRequest.newBuilder(URI.create("http://h/v1/files/f1")).DELETE().build(),
                HttpRequest.newBuilder(URI.create("http://h/v1/x")).method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build());
        return Stream.of(jdk, own).flatMap(copy -> requests.stream().map(r -> new Object[] {copy, r}));
    }

    @ParameterizedTest
    @MethodSource("copies")
    void theCopyIsTheAppsRequestWithAierrsTraceparent(BiFunction<HttpRequest, String, HttpRequest> copy,
                                                     HttpRequest app) {
        Map<String, List<String>> appHeaders = app.headers().map();
        HttpRequest sent = copy.apply(app, OURS);

        assertNotSame(app, sent);
        assertEquals(appHeaders, app.headers().map(), "the app's request is left as it was");
        assertEquals(List.of(OURS), sent.headers().allValues("traceparent"));
        assertEquals(withoutTraceparent(appHeaders), withoutTraceparent(sent.headers().map()));
        assertEquals(app.method(), sent.method());
        assertEquals(app.uri(), sent.uri());
        assertEquals(app.timeout(), sent.timeout());
        assertEquals(app.version(), sent.version());
        assertEquals(app.expectContinue(), sent.expectContinue());
        assertEquals(app.bodyPublisher().isPresent(), sent.bodyPublisher().isPresent());
        app.bodyPublisher().ifPresent(b -> assertSame(b, sent.bodyPublisher().get(), "the same replayable body"));
    }

    private static Map<String, List<String>> withoutTraceparent(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("traceparent")) {
                out.put(name, values);
            }
        });
        return out;
    }

    @ParameterizedTest
    @MethodSource("copies")
    void aCopyForAReplayCarriesTheNewBodyAndEverythingElseOfTheApps(BiFunction<HttpRequest, String, HttpRequest> unused,
                                                                   HttpRequest app) {
        HttpRequest.BodyPublisher replay = HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3});
        HttpRequest sent = JdkRequests.copy(app, replay, null);
        assertSame(replay, sent.bodyPublisher().orElseThrow());
        assertEquals(app.method(), sent.method());
        assertEquals(app.headers().map(), sent.headers().map(), "the app's traceparent, if any, is kept");
        assertEquals(app.timeout(), sent.timeout());
        assertEquals(app.expectContinue(), sent.expectContinue());
    }

    @org.junit.jupiter.api.Test
    void aReplayIsFramedAsTheOriginal() {
        byte[] bytes = {1, 2, 3};
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(bytes));
        assertEquals(-1, JdkRequests.replayOf(bytes, chunked).contentLength(), "unknown length: chunked again");
        HttpRequest.BodyPublisher sized = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofByteArray(bytes), 3);
        assertEquals(3, JdkRequests.replayOf(bytes, sized).contentLength());
    }

    /** The first bytes of an in-memory body, whole when it is shorter than the limit; other bodies are not read. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2048, 65535, 65536, 65537, 1 << 20})
    void bodyPrefixHoldsTheFirstBytesOfAnInMemoryBody(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        int limit = 65536;
        byte[] expected = Arrays.copyOf(body, Math.min(size, limit));
        URI uri = URI.create("http://h/v1/chat/completions");
        assertArrayEquals(expected, JdkRequests.bodyPrefix(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), limit));
        assertArrayEquals(expected, JdkRequests.bodyPrefix(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, size)).build(), limit));
        String text = "x".repeat(size);
        assertArrayEquals(
                Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), Math.min(size, limit)),
                JdkRequests.bodyPrefix(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(text))
                        .build(), limit));
        assertNull(JdkRequests.bodyPrefix(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                limit), "a stream is not read to name the model");
        assertNull(JdkRequests.bodyPrefix(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1])).build(), limit),
                "a body over 1 MiB is not copied");
    }
}
