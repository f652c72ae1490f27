import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One row of the rate-limit benchmark, in its own JVM: resets the {@link RateLimitServer}, warms
 * up outside the limit, runs a load shape through one app-side client, then reads the server's log
 * and prints a markdown table row ({@link RateLimitReport}).
 *
 * <p>{@code java RateLimitLoad --client plain|naive|sdk --label L --ai-port P --control-port C
 * --mode hinted|bare --shape threads --threads 32 --calls 10} or {@code --shape burst --burst 64
 * --trickle-rate 10 --trickle-seconds 10}; {@code --header threads|burst} prints the table head.
 * With {@code --asks spread|mixed --seed S} the threads shape's calls ask for varied token limits
 * and prompts ({@link TokenAsks}; the token benchmark against {@code TokenLimitServer}), and the
 * head says token goodput.
 */
public final class RateLimitLoad {
    private static final int WARM_UP_CALLS_PER_CONNECTION = 3;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        if (opt.containsKey("header")) {
            System.out.print(RateLimitReport.header(opt.get("header").equals("burst"), opt.containsKey("asks")));
            return;
        }
        LoadShape shape = opt.get("shape").equals("burst")
                ? new LoadShape.BurstThenTrickle(Integer.parseInt(opt.get("burst")),
                        Double.parseDouble(opt.get("trickle-rate")), Double.parseDouble(opt.get("trickle-seconds")))
                : opt.containsKey("asks") ? tokenLoop(opt)
                : new LoadShape.ClosedLoop(Integer.parseInt(opt.get("threads")), Integer.parseInt(opt.get("calls")));
        ChatCaller caller = ChatCaller.of(opt.get("client"), "http://127.0.0.1:" + opt.get("ai-port") + "/v1");
        // not an AI endpoint for the agent (another port), so it never sees these calls
        HttpClient control = HttpClient.newHttpClient();
        String controlUrl = "http://127.0.0.1:" + opt.get("control-port");
        control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/reset?mode=" + opt.get("mode")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        warmUp(caller, shape.concurrency());
        List<LoadShape.CallRecord> calls = shape.run(caller);
        String log = control.send(HttpRequest.newBuilder(URI.create(controlUrl + "/log")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        System.out.println(RateLimitReport.row(opt.get("label"), shape, log, calls));
        System.exit(0); // the SDK's OkHttp threads would keep the JVM up for a minute
    }

    static LoadShape tokenLoop(Map<String, String> opt) {
        int threads = Integer.parseInt(opt.get("threads"));
        int calls = Integer.parseInt(opt.get("calls"));
        return new LoadShape.ClosedLoop(threads, calls,
                TokenAsks.of(opt.get("asks"), threads, calls, Long.parseLong(opt.getOrDefault("seed", "11"))));
    }

    /** Opens as many connections as calls will be in flight and warms the code path, all outside the limit. */
    static void warmUp(ChatCaller caller, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (Future<Object> done : LoadShape.startTogether(pool, concurrency, () -> {
            for (int i = 0; i < WARM_UP_CALLS_PER_CONNECTION; i++) {
                caller.warmUp();
            }
            return null;
        })) {
            done.get();
        }
        pool.shutdown();
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
