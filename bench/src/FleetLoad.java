import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet benchmark (bench/fleet.sh): several JVMs, replicas sharing one key, against one limited
 * server. A <b>member</b> warms up, leaves {@code <go>.ready-<n>}, waits for the file {@code <go>},
 * runs its closed loop and writes what its calls saw to {@code --records}. The <b>report</b> reads all
 * members' records and the server's log and prints one table row ({@link RateLimitReport}) for the
 * whole fleet.
 *
 * <p>{@code java FleetLoad --member N --go F --records R --client plain|sdk --ai-port P --threads T
 * --calls M [--asks spread --seed S]} (run with {@code -Dbench.call-ids-from=N000000});
 * {@code java FleetLoad --report L --control-port C R1 R2 ...}.
 */
public final class FleetLoad {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("--report")) {
            report(args);
            return;
        }
        Map<String, String> opt = RateLimitLoad.options(args);
        LoadShape shape = opt.containsKey("asks") ? RateLimitLoad.tokenLoop(opt)
                : new LoadShape.ClosedLoop(Integer.parseInt(opt.get("threads")), Integer.parseInt(opt.get("calls")));
        ChatCaller caller = ChatCaller.of(opt.get("client"), "http://127.0.0.1:" + opt.get("ai-port") + "/v1");
        RateLimitLoad.warmUp(caller, shape.concurrency());
        Path go = Paths.get(opt.get("go"));
        Files.createFile(Paths.get(go + ".ready-" + opt.get("member")));
        while (!Files.exists(go)) {
            Thread.sleep(2);
        }
        List<String> lines = new ArrayList<>();
        for (LoadShape.CallRecord call : shape.run(caller)) {
            lines.add(call.phase() + ' ' + call.latencyNanos() + ' ' + call.outcome());
        }
        Files.write(Paths.get(opt.get("records")), lines);
        System.exit(0); // the SDK's OkHttp threads would keep the JVM up for a minute
    }

    private static void report(String[] args) throws Exception {
        String label = args[1];
        String log = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + args[3] + "/log")).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<LoadShape.CallRecord> calls = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            for (String line : Files.readAllLines(Paths.get(args[i]))) {
                String[] f = line.split(" ", 3);
                calls.add(new LoadShape.CallRecord(f[0], Long.parseLong(f[1]), f[2]));
            }
        }
        // the shape only tells which phase opens the load and which saturates it: every closed loop's
        System.out.println(RateLimitReport.row(label, new LoadShape.ClosedLoop(1, 1), log, calls));
    }
}
