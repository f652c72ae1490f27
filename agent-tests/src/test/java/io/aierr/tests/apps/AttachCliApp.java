package io.aierr.tests.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A running service an operator attaches aierr to with {@code java -jar aierr.jar attach <pid> ...},
 * run here as a child process of the service itself (same user, same JDK): one call before, the
 * attach with the given settings, one call after, a second attach with other settings, one more
 * call. Prints each status and each attach command's exit code and output as {@code key=value}.
 * Arguments: url, agent jar path, then the settings of the first attach ({@code name=value}).
 */
public final class AttachCliApp {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).GET().build();
        String jar = args[1];
        String pid = String.valueOf(ProcessHandle.current().pid());
        System.out.println("before.status=" + client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        List<String> first = new ArrayList<>(List.of("attach", pid));
        first.addAll(Arrays.asList(args).subList(2, args.length));
        cli("attach1", jar, first);
        System.out.println("after.status=" + client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        cli("attach2", jar, List.of("attach", pid, "aierr.retry.max-attempts=1"));
        System.out.println("again.status=" + client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /** Runs {@code java -jar aierr.jar args} with this JVM's own java; prints its exit code, stdout and stderr. */
    private static void cli(String name, String jar, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // the attacher waits 10 s by default for this JVM's attach listener, which a loaded machine may start later
                "-Dsun.tools.attach.attachTimeout=120000", "-jar", jar));
        command.addAll(args);
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        System.out.println(name + ".exit=" + p.waitFor());
        System.out.println(name + ".out=" + out.replace('\n', '|'));
        System.out.println(name + ".err=" + err.replace('\n', '|'));
    }
}
