import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the server's log of one row and the app's own call records into a markdown table row.
 * Definitions (also in the results file's header):
 * <ul>
 * <li>window: from the first request's arrival to the answer of the last success among the
 *     shape's saturating calls (all calls; the burst);</li>
 * <li>goodput: successes answered in the window / (B + R x window): successes per second as a
 *     share of what the limit let through over the window, its initial bucket of B included, so
 *     100 % is the ceiling whatever the window's length; against a token server (a cost column in
 *     the log) the tokens charged for those successes instead (token goodput);</li>
 * <li>first-wave 429s: 429s to the first attempt of a call the app started at the opening instant
 *     (each thread's first call; the burst), sent before any client could have heard of the limit;</li>
 * <li>avoidable 429s: all other 429s, as a share of all requests;</li>
 * <li>app-visible failures and latencies: what the app's own calls returned, all calls included.</li>
 * </ul>
 */
final class RateLimitReport {
    /** {@code cost}: what the server charged an admitted request (1 unless the log says: a token server's). */
    private record ServerRequest(long arrival, long answered, int status, String phase, String call, long cost) {
    }

    static String header(boolean trickle) {
        return header(trickle, false);
    }

    /** {@code tokens}: the server charges tokens per request, and goodput counts those (token goodput). */
    static String header(boolean trickle, boolean tokens) {
        String head = "| client | " + (tokens ? "token goodput" : "goodput") + " | window | requests | 429s | 429s per success | first-wave 429s "
                + "| avoidable 429s | app-visible failures | p50 | p99 |";
        String rule = "|---|---|---|---|---|---|---|---|---|---|---|";
        return trickle ? head + " trickle p99 |\n" + rule + "---|\n" : head + "\n" + rule + "\n";
    }

    static String row(String label, LoadShape shape, String serverLog, List<LoadShape.CallRecord> calls) {
        String[] lines = serverLog.split("\n");
        String[] settings = lines[0].split(" ");
        double rate = Double.parseDouble(settings[1]);
        int burst = Integer.parseInt(settings[3]);
        List<ServerRequest> requests = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            requests.add(new ServerRequest(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3], f[4],
                    f.length > 5 ? Long.parseLong(f[5]) : 1));
        }
        if (requests.isEmpty()) {
            return "| " + label + " | no request reached the server |";
        }
        long first = requests.stream().mapToLong(ServerRequest::arrival).min().getAsLong();
        long rejected = requests.stream().filter(r -> r.status == 429).count();
        long successes = requests.stream().filter(r -> r.status == 200).count();
        long firstWave = firstAttempts(requests).stream()
                .filter(r -> r.status == 429 && r.phase.equals(shape.openingPhase())).count();
        long windowEnd = requests.stream().filter(r -> r.status == 200 && shape.saturates(r.phase))
                .mapToLong(ServerRequest::answered).max().orElse(-1);
        StringBuilder row = new StringBuilder("| ").append(label);
        if (windowEnd < 0) {
            cell(row, "-");
            cell(row, "-");
        } else {
            double window = (windowEnd - first) / 1e9;
            long inWindow = requests.stream().filter(r -> r.status == 200 && r.answered <= windowEnd)
                    .mapToLong(ServerRequest::cost).sum();
            cell(row, percent(inWindow / (burst + rate * window)));
            cell(row, String.format(Locale.ROOT, "%.1f s", window));
        }
        cell(row, Integer.toString(requests.size()));
        cell(row, Long.toString(rejected));
        cell(row, successes == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) rejected / successes));
        cell(row, Long.toString(firstWave));
        cell(row, percent((double) (rejected - firstWave) / requests.size()));
        cell(row, failures(calls));
        long[] latencies = latencies(calls, null);
        cell(row, millis(percentile(latencies, 0.50)));
        cell(row, millis(percentile(latencies, 0.99)));
        long[] trickle = latencies(calls, "trickle");
        if (trickle.length > 0) {
            cell(row, millis(percentile(trickle, 0.99)));
        }
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

    /** How many calls the app saw fail, and as what: {@code 0}, {@code 12 (429)}, {@code 3 (429: 2, IOException: 1)}. */
    private static String failures(List<LoadShape.CallRecord> calls) {
        Map<String, Integer> byOutcome = new TreeMap<>();
        for (LoadShape.CallRecord call : calls) {
            if (!call.outcome().equals("200")) {
                byOutcome.merge(call.outcome(), 1, Integer::sum);
            }
        }
        int total = byOutcome.values().stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            return "0";
        }
        if (byOutcome.size() == 1) {
            return total + " (" + byOutcome.keySet().iterator().next() + ")";
        }
        StringBuilder kinds = new StringBuilder();
        byOutcome.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(kind).append(": ").append(n));
        return total + " (" + kinds + ")";
    }

    private static long[] latencies(List<LoadShape.CallRecord> calls, String phase) {
        return calls.stream().filter(c -> phase == null || c.phase().equals(phase))
                .mapToLong(LoadShape.CallRecord::latencyNanos).sorted().toArray();
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
