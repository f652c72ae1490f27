import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the {@link RateLimitServer}'s log of one async-pacing row and the app's call records into a
 * markdown table row, with {@code RateLimitReport}'s definitions for a closed loop, so the figures
 * compare with bench/results/ratelimit.md:
 * <ul>
 * <li>window: from the first request's arrival to the answer of the last success;</li>
 * <li>goodput: successes answered in the window / (B + R x window);</li>
 * <li>first-wave 429s: 429s to the first attempt of each chain's first call, sent before any client
 *     could have heard of the limit;</li>
 * <li>wasted requests: all other 429s, as a share of all requests (RateLimitReport's "avoidable
 *     429s"); 429s per success: all 429s / successes;</li>
 * <li>failures and latencies: what the app's own calls ended with, all calls included.</li>
 * </ul>
 */
final class AsyncPacingReport {
    private record ServerRequest(long arrival, long answered, int status, String phase, String call) {
    }

    private AsyncPacingReport() {
    }

    static String header() {
        return "| client | mode | failures | wasted requests | 429s per success | goodput | window | requests | 429s "
                + "| first-wave 429s | p50 | p99 | load |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    }

    static String row(String client, String mode, String serverLog, ClosedLoad.Result result, String load) {
        String[] lines = serverLog.split("\n");
        String[] settings = lines[0].split(" ");
        double rate = Double.parseDouble(settings[1]);
        int burst = Integer.parseInt(settings[3]);
        List<ServerRequest> requests = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            requests.add(new ServerRequest(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3], f[4]));
        }
        StringBuilder row = new StringBuilder("| ").append(client);
        cell(row, mode);
        cell(row, failures(result));
        if (requests.isEmpty()) {
            return row.append(" | no request reached the server |").toString();
        }
        long first = requests.stream().mapToLong(ServerRequest::arrival).min().getAsLong();
        long rejected = requests.stream().filter(r -> r.status == 429).count();
        long successes = requests.stream().filter(r -> r.status == 200).count();
        long firstWave = firstAttempts(requests).stream()
                .filter(r -> r.status == 429 && r.phase.equals("first")).count();
        cell(row, percent((double) (rejected - firstWave) / requests.size()));
        cell(row, successes == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) rejected / successes));
        long windowEnd = requests.stream().filter(r -> r.status == 200).mapToLong(ServerRequest::answered).max().orElse(-1);
        if (windowEnd < 0) {
            cell(row, "-");
            cell(row, "-");
        } else {
            double window = (windowEnd - first) / 1e9;
            cell(row, percent(successes / (burst + rate * window)));
            cell(row, String.format(Locale.ROOT, "%.1f s", window));
        }
        cell(row, Integer.toString(requests.size()));
        cell(row, Long.toString(rejected));
        cell(row, Long.toString(firstWave));
        long[] latencies = result.calls().stream().mapToLong(ClosedLoad.Call::latencyNanos).sorted().toArray();
        cell(row, millis(percentile(latencies, 0.50)));
        cell(row, millis(percentile(latencies, 0.99)));
        cell(row, load);
        return row.append(" |").toString();
    }

    /** The earliest request of each call: retries resend the app's x-bench-call header. */
    private static List<ServerRequest> firstAttempts(List<ServerRequest> requests) {
        Map<String, ServerRequest> byCall = new HashMap<>();
        for (ServerRequest r : requests) {
            byCall.merge(r.call, r, (a, b) -> a.arrival <= b.arrival ? a : b);
        }
        return new ArrayList<>(byCall.values());
    }

    /** {@code 0}, or how many calls did not end in 200 and as what: {@code 3 (429: 2, IOException: 1)}. */
    private static String failures(ClosedLoad.Result result) {
        Map<String, Integer> byOutcome = new TreeMap<>();
        for (ClosedLoad.Call call : result.calls()) {
            if (!call.outcome().equals("200")) {
                byOutcome.merge(call.outcome() + (call.refused() == null ? "" : " " + call.refused()), 1, Integer::sum);
            }
        }
        if (result.unfinished() > 0) {
            byOutcome.put("unfinished", result.unfinished());
        }
        int total = byOutcome.values().stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            return "0";
        }
        StringBuilder kinds = new StringBuilder();
        byOutcome.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(kind).append(": ").append(n));
        return total + " (" + kinds + ")";
    }

    /** Nearest rank. */
    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String millis(long nanos) {
        return nanos < 0 ? "-" : (nanos / 1_000_000) + " ms";
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    private static void cell(StringBuilder row, String value) {
        row.append(" | ").append(value);
    }
}
