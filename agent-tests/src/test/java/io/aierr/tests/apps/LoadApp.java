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
 * gap-ms (pause between one thread's calls).
 */
public final class LoadApp {
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
        java.util.function.Supplier<HttpRequest> nextRequest = () -> HttpRequest.newBuilder(URI.create(o.get("url")))
                .header("content-type", "application/json")
                .header("authorization", "Bearer sk-test-load-key")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[\"question "
                        + asked.incrementAndGet() + "\"]}"))
                .build();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        if (async) {
            List<CompletableFuture<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads * calls; i++) {
                futures.add(client.sendAsync(nextRequest.get(), HttpResponse.BodyHandlers.ofString())
                        .handle((r, e) -> count(outcomes, r, e)));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        } else {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    for (int i = 0; i < calls; i++) {
                        try {
                            count(outcomes, client.send(nextRequest.get(), HttpResponse.BodyHandlers.ofString()), null);
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
        System.out.println("peak-threads=" + ManagementFactory.getThreadMXBean().getPeakThreadCount());
        clientExecutor.shutdown();
        System.exit(0);
    }

    private static Object count(Map<String, AtomicInteger> outcomes, HttpResponse<?> response, Throwable failure) {
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
