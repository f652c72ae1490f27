package io.aierr.tests.apps;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * An ordinary app that makes one call with the JDK client and prints what it saw as
 * {@code key=value} lines. Knows nothing of aierr. Arguments are {@code key=value}:
 * url, mode (send|async), handler (string|bytes|stream|lines|publisher|file|sse),
 * request-body (string|bytes|stream: ofInputStream over one stream that cannot be read twice|publisher:
 * fromPublisher of a publisher that serves one subscriber only|none), request-size (pads the chat
 * request to this many bytes), timeout-ms, interrupt-when and cancel-when (a mark of the server's in
 * the signals= folder, see {@link Signals}) with linger-ms, traceparent (a header the app sets itself).
 */
public final class JdkClientApp {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(o.get("url")))
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-test-not-a-real-key-123456");
        if (o.containsKey("traceparent")) {
            builder.header("traceparent", o.get("traceparent"));
        }
        if (o.containsKey("timeout-ms")) {
            builder.timeout(Duration.ofMillis(Long.parseLong(o.get("timeout-ms"))));
        }
        String json = AppCall.chatRequest(Integer.parseInt(o.getOrDefault("request-size", "0")));
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        switch (o.getOrDefault("request-body", "string")) {
            case "string" -> builder.POST(HttpRequest.BodyPublishers.ofString(json));
            case "bytes" -> builder.POST(HttpRequest.BodyPublishers.ofByteArray(jsonBytes));
            case "stream" -> {
                InputStream once = new ByteArrayInputStream(jsonBytes);
                builder.POST(HttpRequest.BodyPublishers.ofInputStream(() -> once));
            }
            case "publisher" -> builder.POST(HttpRequest.BodyPublishers.fromPublisher(new OneShotPublisher(jsonBytes)));
            default -> builder.GET();
        }
        if (!"none".equals(o.get("request-body"))) {
            System.out.println("request.length=" + jsonBytes.length);
            System.out.println("request.sha256=" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(jsonBytes)));
        }
        HttpRequest request = builder.build();
        String handler = o.getOrDefault("handler", "string");
        long start = System.nanoTime();
        Thread caller = Thread.currentThread();
        String signals = o.get("signals");
        Thread interrupter = o.containsKey("interrupt-when")
                ? Signals.whenSignalled(signals, o.get("interrupt-when"), caller::interrupt) : null;
        try {
            HttpResponse<?> response;
            if ("async".equals(o.get("mode"))) {
                CompletableFuture<? extends HttpResponse<?>> future = client.sendAsync(request, bodyHandler(handler));
                if (o.containsKey("cancel-when")) {
                    Signals.awaitAndSettle(signals, o.get("cancel-when"));
                    System.out.println("cancelled=" + future.cancel(true));
                    // as long as a retry the cancel failed to stop would take to reach the server
                    sleep(Long.parseLong(o.get("linger-ms")));
                    System.out.println("elapsed.ms=" + (System.nanoTime() - start) / 1_000_000);
                    return;
                }
                try {
                    response = future.get();
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                }
            } else {
                response = client.send(request, bodyHandler(handler));
            }
            Signals.callOff(interrupter);
            System.out.println("status=" + response.statusCode());
            report(response.body(), start, signals);
            System.out.println("request.traceparent=" + request.headers().firstValue("traceparent").orElse("none"));
        } catch (Exception e) {
            boolean interrupted = Thread.currentThread().isInterrupted();
            Signals.callOff(interrupter);
            System.out.println("exception=" + e.getClass().getName() + ": " + e.getMessage());
            System.out.println("interrupted.flag=" + interrupted);
        }
        System.out.println("elapsed.ms=" + (System.nanoTime() - start) / 1_000_000);
    }

    static HttpResponse.BodyHandler<?> bodyHandler(String kind) throws Exception {
        switch (kind) {
            case "bytes":
                return HttpResponse.BodyHandlers.ofByteArray();
            case "stream":
                return HttpResponse.BodyHandlers.ofInputStream();
            case "lines":
            case "sse":
                return HttpResponse.BodyHandlers.ofLines();
            case "publisher":
                return HttpResponse.BodyHandlers.ofPublisher();
            case "file":
                return HttpResponse.BodyHandlers.ofFile(Files.createTempFile("jdk-client-app", ".body"));
            default:
                return HttpResponse.BodyHandlers.ofString();
        }
    }

    private static void report(Object body, long start, String signals) throws Exception {
        byte[] bytes = bytesOf(body, mark -> {
            System.out.println(mark + ".ms=" + (System.nanoTime() - start) / 1_000_000);
            if (mark.equals("first-line")) {
                Signals.send(signals, "first-line");
            }
        });
        System.out.println("body.length=" + bytes.length);
        System.out.println("body.sha256=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        if (bytes.length <= 4096) {
            System.out.println("body=" + new String(bytes, StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
    }

    /**
     * The bytes of a body as any of {@link #bodyHandler}'s handlers delivered it; a body read line by
     * line tells {@code lineMark} when its {@code first-line} and its {@code last-line} came.
     */
    @SuppressWarnings("unchecked")
    static byte[] bytesOf(Object body, Consumer<String> lineMark) throws Exception {
        byte[] bytes;
        if (body instanceof String s) {
            bytes = s.getBytes(StandardCharsets.UTF_8);
        } else if (body instanceof byte[] b) {
            bytes = b;
        } else if (body instanceof InputStream in) {
            try (in) {
                bytes = in.readAllBytes();
            }
        } else if (body instanceof Path p) {
            bytes = Files.readAllBytes(p);
        } else if (body instanceof java.util.stream.Stream<?> lines) {
            StringBuilder all = new StringBuilder();
            boolean first = true;
            java.util.Iterator<?> it = lines.iterator();
            while (it.hasNext()) {
                Object line = it.next();
                if (first) {
                    lineMark.accept("first-line");
                    first = false;
                }
                all.append(line).append('\n');
            }
            lineMark.accept("last-line");
            bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        } else if (body instanceof Flow.Publisher<?> publisher) {
            bytes = collect((Flow.Publisher<List<ByteBuffer>>) publisher);
        } else {
            bytes = String.valueOf(body).getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private static byte[] collect(Flow.Publisher<List<ByteBuffer>> publisher) throws Exception {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            public void onNext(List<ByteBuffer> items) {
                for (ByteBuffer b : items) {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                }
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.get();
    }

    /** The app's {@code key=value} arguments. */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return o;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
