package io.aierr.tests.apps;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * An app that makes {@code calls=N} chat calls one after the other through one client
 * ({@code client=jdk|jdk-async|okhttp|okhttp-async|hc4|hc5|hc5-async}) and prints how they ended:
 * {@code status.200=N}, {@code refused.<reason>=N} for answers aierr gave without sending, and the
 * elapsed time. With {@code vary-body=true} every call's request differs. The client is built with its
 * library's defaults ({@link ClientFamily}). With {@code exit-when=<mark>} (a server's mark in the
 * {@code signals=} folder, see {@link Signals}) the JVM is asked to exit once the mark is there, by
 * {@code exit-by=exit} (System.exit from another thread) or {@code sigterm} (a TERM signal to itself),
 * after printing {@code exit.requested}; the app waits for that after its calls.
 */
public final class SequentialCallsApp {
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>();
        for (String a : args) {
            o.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int calls = Integer.parseInt(o.getOrDefault("calls", "1"));
        boolean vary = Boolean.parseBoolean(o.getOrDefault("vary-body", "false"));
        ClientFamily client = ClientFamily.of(o.get("client"), 0);
        if (o.containsKey("exit-when")) {
            Signals.whenSignalled(o.get("signals"), o.get("exit-when"), () -> exit(o.getOrDefault("exit-by", "exit")));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            String body = vary ? AppCall.CHAT_REQUEST.replace("hi", "hi #" + i) : AppCall.CHAT_REQUEST;
            try {
                ClientFamily.Answer answer = client.call(o.get("url"), body.getBytes(StandardCharsets.UTF_8),
                        Map.of("authorization", "Bearer sk-test-not-a-real-key-123456"));
                outcomes.merge("status." + answer.status(), 1, Integer::sum);
                if (answer.refused() != null) {
                    outcomes.merge("refused." + answer.refused(), 1, Integer::sum);
                }
            } catch (Exception e) {
                outcomes.merge("exception." + e.getClass().getName(), 1, Integer::sum);
            }
        }
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        outcomes.forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.println("elapsed.ms=" + elapsed);
        if (o.containsKey("exit-when")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        System.exit(0);
    }

    private static void exit(String how) {
        System.out.println("exit.requested=" + how);
        System.out.flush();
        if ("sigterm".equals(how)) {
            try {
                new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).inheritIO().start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            System.exit(0);
        }
    }
}
