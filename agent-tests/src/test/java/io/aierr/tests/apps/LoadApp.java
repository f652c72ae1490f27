package io.aierr.tests.apps;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordinary app that makes many calls with one shared JDK client and prints what it saw. Knows
 * nothing of aierr. Arguments {@code key=value}: url, threads, calls (per thread), mode
 * (send|async: all calls sent at once from one thread, the client on a 2-thread executor),
 * gap-ms (pause between one thread's calls), max-tokens ({@code 100-500}: each call asks for a
 * {@code max_tokens} in that range, spread by the call's number, the same in every run).
 *
 * <p>When a response carries {@code x-body-sha256} (the server's digest of the body it sent), the
 * app compares it with the bytes it got and prints {@code bodies.checked} and {@code bodies.changed}.
 */
public final class LoadApp {
    /** The key every call carries: calls of several of these apps share its limit. */
    static final String API_KEY = "sk-test-load-key";

    public static void main(String[] args) throws Exception {
        Map<String, String> o = JdkClientApp.options(args);
        int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
        int calls = Integer.parseInt(o.getOrDefault("calls", "1"));
        long gap = Long.parseLong(o.getOrDefault("gap-ms", "0"));
        boolean async = "async".equals(o.get("mode"));
        ExecutorService clientExecutor = Executors.newFixedThreadPool(2);
        HttpClient client = async ? HttpClient.newBuilder().executor(clientExecutor).build() : HttpClient.newHttpClient();
        // every call asks its own question, as a real load does: no call is a resend of another
        AtomicInteger asked = new AtomicInteger();
        int[] tokenRange = o.containsKey("max-tokens")
                ? java.util.Arrays.stream(o.get("max-tokens").split("-")).mapToInt(Integer::parseInt).toArray() : null;
        java.util.function.Supplier<HttpRequest> nextRequest = () -> {
            int n = asked.incrementAndGet();
            // a prime stride walks the whole range before it repeats a value, for any range width
            String maxTokens = tokenRange == null ? ""
                    : ",\"max_tokens\":" + (tokenRange[0] + Math.floorMod(n * 7919, tokenRange[1] - tokenRange[0] + 1));
            return HttpRequest.newBuilder(URI.create(o.get("url")))
                    .header("content-type", "application/json")
                    .header("authorization", "Bearer " + API_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[\"question "
                            + n + "\"]" + maxTokens + "}"))
                    .build();
        };
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        if (async) {
            List<CompletableFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads * calls; i++) {
                futures.add(client.sendAsync(nextRequest.get(), HttpResponse.BodyHandlers.ofByteArray())
                        .handle((r, e) -> count(outcomes, r, e)));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        } else {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    for (int i = 0; i < calls; i++) {
                        try {
                            count(outcomes, client.send(nextRequest.get(), HttpResponse.BodyHandlers.ofByteArray()), null);
                        } catch (Exception e) {
                            count(outcomes, null, e);
                        }
                        JdkClientApp.sleep(gap);
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (Thread w : workers) {
                w.join();
            }
        }
        outcomes.forEach((k, v) -> System.out.println("outcome." + k + "=" + v));
        System.out.println("bodies.checked=" + BODIES_CHECKED.get());
        System.out.println("bodies.changed=" + BODIES_CHANGED.get());
        System.out.println("peak-threads=" + ManagementFactory.getThreadMXBean().getPeakThreadCount());
        clientExecutor.shutdown();
        System.exit(0);
    }

    private static final AtomicInteger BODIES_CHECKED = new AtomicInteger();
    private static final AtomicInteger BODIES_CHANGED = new AtomicInteger();

    private static Object count(Map<String, AtomicInteger> outcomes, HttpResponse<byte[]> response, Throwable failure) {
        if (response != null) {
            response.headers().firstValue("x-body-sha256").ifPresent(sent -> {
                BODIES_CHECKED.incrementAndGet();
                if (!sent.equals(AppCall.sha256(response.body()))) {
                    BODIES_CHANGED.incrementAndGet();
                    System.out.println("changed-body=" + response.statusCode() + " "
                            + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
                }
            });
        }
        Throwable cause = failure != null && failure.getCause() != null ? failure.getCause() : failure;
        // a response aierr answered without sending counts apart: "450-circuit-open"
        String key = response == null ? cause.getClass().getSimpleName() : response.statusCode()
                + response.headers().firstValue("x-aierr-refused").map(reason -> "-" + reason).orElse("");
        outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (cause != null) {
            System.out.println("failure=" + cause);
        }
        return null;
    }
}
