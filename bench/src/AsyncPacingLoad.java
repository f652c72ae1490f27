import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * One row of the async-pacing benchmark, in its own JVM: resets the {@link RateLimitServer} to a
 * mode, warms up outside the limit, runs {@code chains} x {@code calls} through one client family
 * ({@link ClosedLoad}: an async family as chains, each call started from the previous one's
 * completion; a sync one on a thread per chain), each call with a prompt of its own, then reads the
 * server's log and prints a markdown table row ({@link AsyncPacingReport}).
 *
 * <p>{@code java AsyncPacingLoad --client jdk-async --mode hinted|bare --ai-port P --control-port C
 * --chains 32 --calls 10 --deadline-seconds 90}; {@code --header x} prints the table head.
 */
public final class AsyncPacingLoad {
    private static final int WARM_UP_ROUNDS = 3;

    public static void main(String[] args) {
        try {
            run(SporadicLoad.options(args));
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // client threads would keep a failed row's JVM up until the script's timeout
        }
    }

    private static void run(Map<String, String> opt) throws Exception {
        if (opt.containsKey("header")) {
            System.out.print(AsyncPacingReport.header());
            return;
        }
        int chains = Integer.parseInt(opt.get("chains"));
        BenchClient client = BenchClients.of(opt.get("client"), "http://127.0.0.1:" + opt.get("ai-port") + "/v1", chains);
        // not an AI endpoint for the agent (another port), so it never sees these calls
        HttpClient control = HttpClient.newHttpClient();
        String controlUrl = "http://127.0.0.1:" + opt.get("control-port");
        control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/reset?mode=" + opt.get("mode")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        ClosedLoad.warmUp(client, chains, WARM_UP_ROUNDS);
        String loadAtStart = SporadicLoad.loadAverage();
        ClosedLoad.Result result = new ClosedLoad(client, chains, Integer.parseInt(opt.get("calls")),
                call -> "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"question #" + call
                        + "\"}]}")
                .run(Long.parseLong(opt.get("deadline-seconds")));
        String log = control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/log")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        System.out.println(AsyncPacingReport.row(opt.get("client"), opt.get("mode"), log, result,
                loadAtStart + " → " + SporadicLoad.loadAverage()));
        System.exit(0); // client threads (OkHttp's, HttpClient 5's reactor) would keep the JVM up
    }
}
