import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One row of the sporadic-error benchmark, in its own JVM: resets the {@link SporadicServer},
 * warms up outside the mix, runs {@code callers} x {@code calls} through one client family
 * ({@link ClosedLoad}), each call with a prompt of its own, then reads the server's log and
 * prints a markdown table row ({@link SporadicReport}).
 *
 * <p>{@code java SporadicLoad --client jdk --set-up L --ai-port P --control-port C --seed S
 * --callers 200 --calls 50 --deadline-seconds 120 --max-attempts 5 --max-wait-ms 60000
 * [--wall-out FILE | --baseline FILE]}; {@code --header x} prints the table head, {@code --ideal SEED
 * --calls N --max-attempts A} what a perfect retrier would send for calls 1..N. {@code --wall-out}
 * writes the row's wall time for the rows after it; {@code --baseline} reads one.
 */
public final class SporadicLoad {
    private static final int WARM_UP_ROUNDS = 3;

    public static void main(String[] args) {
        try {
            run(options(args));
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // client threads would keep a failed row's JVM up until the script's timeout
        }
    }

    private static void run(Map<String, String> opt) throws Exception {
        if (opt.containsKey("header")) {
            System.out.print(SporadicReport.header());
            return;
        }
        if (opt.containsKey("ideal")) {
            System.out.print(SporadicReport.perfectRetrier(Long.parseLong(opt.get("ideal")),
                    Integer.parseInt(opt.get("calls")), Integer.parseInt(opt.get("max-attempts"))));
            return;
        }
        int callers = Integer.parseInt(opt.get("callers"));
        BenchClient client = BenchClients.of(opt.get("client"), "http://127.0.0.1:" + opt.get("ai-port") + "/v1", callers);
        // not an AI endpoint for the agent (another port), so it never sees these calls
        HttpClient control = HttpClient.newHttpClient();
        String controlUrl = "http://127.0.0.1:" + opt.get("control-port");
        ClosedLoad.warmUp(client, callers, WARM_UP_ROUNDS);
        control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        String loadAtStart = loadAverage();
        ClosedLoad.Result result = new ClosedLoad(client, callers, Integer.parseInt(opt.get("calls")),
                call -> "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"question #" + call
                        + ": what is " + call + " squared?\"}]}")
                .run(Long.parseLong(opt.get("deadline-seconds")));
        String log = control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/log")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long wall = result.endNanos() - result.startNanos();
        long baseline = 0;
        if (opt.containsKey("wall-out")) {
            Files.writeString(Path.of(opt.get("wall-out")), Long.toString(wall));
        } else if (opt.containsKey("baseline") && Files.exists(Path.of(opt.get("baseline")))) {
            baseline = Long.parseLong(Files.readString(Path.of(opt.get("baseline"))).trim());
        }
        System.out.println(SporadicReport.row(opt.get("client"), opt.get("set-up"), log, result,
                Long.parseLong(opt.get("seed")), Integer.parseInt(opt.get("max-attempts")),
                Long.parseLong(opt.get("max-wait-ms")), baseline, loadAtStart + " → " + loadAverage()));
        System.exit(0); // client threads (OkHttp's, HttpClient 5's reactor) would keep the JVM up
    }

    /** The 1-minute load average, as uptime shows it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        return opt;
    }
}
