package io.aierr.tests.apps;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * One call of a client test app. Apps take {@code key=value} options for all calls and one
 * {@code call=name url [key=value ...]} argument per call, and print what each call saw as
 * {@code name.key=value} lines.
 */
final class AppCall {
    static final String CHAT_REQUEST = chatRequest(0);

    final String name;
    final String url;
    private final Map<String, String> options;
    private long start;
    private Thread interrupter;

    private AppCall(String name, String url, Map<String, String> options) {
        this.name = name;
        this.url = url;
        this.options = options;
    }

    /** The tests' chat request, its message padded so that the whole request is at least {@code size} bytes. */
    static String chatRequest(int size) {
        String head = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi";
        String tail = "\"}]}";
        StringBuilder padded = new StringBuilder(head);
        for (int i = 0; padded.length() + tail.length() < size; i++) {
            padded.append((char) ('a' + i % 26));
        }
        return padded.append(tail).toString();
    }

    /**
     * The body this call sends: the chat request padded to the {@code request-size} option; prints
     * its length and SHA-256 as {@code request.length} and {@code request.sha256}.
     */
    byte[] requestBody() {
        byte[] body = chatRequest(Integer.parseInt(option("request-size", "0"))).getBytes(StandardCharsets.UTF_8);
        print("request.length", body.length);
        print("request.sha256", sha256(body));
        return body;
    }

    static List<AppCall> parse(String[] args) {
        Map<String, String> common = new LinkedHashMap<>();
        List<String[]> calls = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("call=")) {
                calls.add(a.substring("call=".length()).split(" "));
            } else {
                put(common, a);
            }
        }
        List<AppCall> parsed = new ArrayList<>();
        for (String[] call : calls) {
            Map<String, String> options = new LinkedHashMap<>(common);
            for (int i = 2; i < call.length; i++) {
                put(options, call[i]);
            }
            parsed.add(new AppCall(call[0], call[1], options));
        }
        return parsed;
    }

    private static void put(Map<String, String> options, String keyValue) {
        int eq = keyValue.indexOf('=');
        options.put(keyValue.substring(0, eq), keyValue.substring(eq + 1));
    }

    String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    long number(String key) {
        return Long.parseLong(options.get(key));
    }

    /** The folder where this call's server and the app leave each other marks ({@link Signals}), or null. */
    String signals() {
        return option("signals", null);
    }

    /**
     * Marks the start of the call; with {@code interrupt-when=<mark>} the caller is interrupted
     * once the server has left that mark (e.g. {@code answered-1}: its first answer is sent).
     */
    void begin() {
        start = System.nanoTime();
        if (has("interrupt-when")) {
            interrupter = Signals.whenSignalled(signals(), option("interrupt-when", null),
                    Thread.currentThread()::interrupt);
        }
    }

    void print(String key, Object value) {
        System.out.println(name + "." + key + "=" + value);
    }

    long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * The first byte (or delta) of a streamed answer reached the app: prints {@code first-byte.ms}, then
     * leaves the {@code first-line} mark for a server that holds the rest until the app read something.
     */
    void firstByte() {
        print("first-byte.ms", elapsedMillis());
        Signals.send(signals(), "first-line");
    }

    /**
     * Reads a body the way the {@code read} option says: all at once, line by line as it arrives,
     * until-done (line by line up to an event stream's {@code data: [DONE]}, then no more, as SSE
     * parsers stop; the caller then closes the response), counted (chunk by chunk, printing how many bytes came before a read error), or digest (streamed
     * through SHA-256 and never held: a body larger than the heap; prints its length and digest
     * itself and returns null, which {@link #body} passes over).
     */
    byte[] read(InputStream in) throws IOException {
        String mode = option("read", "bytes");
        if ("counted".equals(mode)) {
            return readCounted(in);
        }
        if ("digest".equals(mode)) {
            digest(in);
            return null;
        }
        boolean untilDone = "until-done".equals(mode);
        if (!"lines".equals(mode) && !untilDone) {
            return in.readAllBytes();
        }
        StringBuilder all = new StringBuilder();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (all.length() == 0) {
                lineMark("first-line");
            }
            all.append(line).append('\n');
            if (untilDone && "data: [DONE]".equals(line)) {
                break;
            }
        }
        lineMark("last-line");
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A body read line by line reached its {@code first-line} or {@code last-line}: prints when, and
     * leaves the first-line mark for a server that holds the rest until the app read something.
     */
    void lineMark(String mark) {
        print(mark + ".ms", elapsedMillis());
        if (mark.equals("first-line")) {
            Signals.send(signals(), "first-line");
        }
    }

    private byte[] readCounted(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                all.write(chunk, 0, n);
            }
        } catch (IOException e) {
            print("read.before-failure", all.size());
            throw e;
        }
        return all.toByteArray();
    }

    private void digest(InputStream in) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] chunk = new byte[64 * 1024];
        long length = 0;
        for (int n; (n = in.read(chunk)) >= 0; ) {
            sha.update(chunk, 0, n);
            length += n;
        }
        print("body.length", length);
        print("body.sha256", HexFormat.of().formatHex(sha.digest()));
    }

    void status(int status, String lastHeader) {
        print("status", status);
        if (lastHeader != null) {
            print("x-last", lastHeader);
        }
    }

    /** What the app's client says of a response's body before it is read. */
    void entity(long length, boolean chunked, boolean streaming, boolean repeatable) {
        print("entity", "length=" + length + " chunked=" + chunked + " streaming=" + streaming + " repeatable=" + repeatable);
    }

    void body(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        print("body.length", bytes.length);
        print("body.sha256", sha256(bytes));
        if (bytes.length <= 4096) {
            print("body", new String(bytes, StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void failed(Throwable e) {
        print("exception", e.getClass().getName() + ": " + e.getMessage());
        print("interrupted.flag", Thread.currentThread().isInterrupted());
    }

    /**
     * Prints the pool's leased connections once the call is over (an async client releases them
     * just after completing the future), then the elapsed time; clears a pending interrupt. The
     * pool is asked until it has none leased, for as long as a loaded machine may need.
     */
    void end(IntSupplier leased) throws InterruptedException {
        Signals.callOff(interrupter);
        print("elapsed.ms", elapsedMillis());
        Thread.interrupted();
        long deadline = System.nanoTime() + Signals.MAX_WAIT_MILLIS * 1_000_000L;
        while (leased.getAsInt() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        print("leased", leased.getAsInt());
    }
}
