import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the {@link SporadicServer}'s log of one row and the app's own call records into a
 * markdown table row. Definitions (also in the results file):
 * <ul>
 * <li>wall: from the release of the callers to the last answer;</li>
 * <li>x no aierr: wall over the wall of the same client's row without aierr (HttpClient 5: the row
 *     with its own retry disabled);</li>
 * <li>200s: calls that ended in 200, of those a perfect retrier could have ended in 200 (the
 *     first answer that is not 429, 450 or 503 among the call's first max-attempts is a 200; known
 *     from the server's seeded scripts);</li>
 * <li>gave up early: calls that ended with a retryable answer (429 that is not a spent quota, 450,
 *     503) after fewer than max-attempts requests and in less than max-wait;</li>
 * <li>requests: what the server saw; refused: answers aierr gave without sending, by reason.</li>
 * </ul>
 */
final class SporadicReport {
    private static final Set<SporadicServer.Kind> RETRYABLE = EnumSet.of(SporadicServer.Kind.HINTED_429,
            SporadicServer.Kind.BARE_429, SporadicServer.Kind.QUEUE_FULL_450, SporadicServer.Kind.NO_UPSTREAM_503);
    private static final Set<String> RETRYABLE_OUTCOMES = Set.of("429", "450", "503");

    private SporadicReport() {
    }

    static String header() {
        return "| client | set-up | wall | x no aierr | calls/s | p50 | p99 | 200s (of possible) | other final answers "
                + "| gave up early | requests | refused | load |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    }

    static String row(String client, String setUp, String serverLog, ClosedLoad.Result result, long seed,
            int maxAttempts, long maxWaitMillis, long baselineNanos, String load) {
        Map<Long, Integer> requestsPerCall = new HashMap<>();
        int requests = 0;
        for (String line : serverLog.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            requests++;
            requestsPerCall.merge(Long.parseLong(line.split(" ")[4]), 1, Integer::sum);
        }
        List<ClosedLoad.Call> calls = result.calls();
        long wall = result.endNanos() - result.startNanos();
        Map<String, Integer> others = new TreeMap<>();
        Map<String, Integer> gaveUp = new TreeMap<>();
        Map<String, Integer> refused = new TreeMap<>();
        int ok = 0;
        int possible = 0;
        for (ClosedLoad.Call call : calls) {
            if (call.outcome().equals("200")) {
                ok++;
            } else {
                others.merge(call.outcome(), 1, Integer::sum);
            }
            if (perfectRetrierEndsIn200(seed, call.id(), maxAttempts)) {
                possible++;
            }
            if (call.refused() != null) {
                refused.merge(call.refused(), 1, Integer::sum);
            }
            if (RETRYABLE_OUTCOMES.contains(call.outcome())
                    && requestsPerCall.getOrDefault(call.id(), 0) < maxAttempts
                    && call.latencyNanos() < maxWaitMillis * 1_000_000L) {
                gaveUp.merge(call.outcome() + " after " + requestsPerCall.getOrDefault(call.id(), 0), 1, Integer::sum);
            }
        }
        if (result.unfinished() > 0) {
            others.put("unfinished", result.unfinished());
        }
        long[] latencies = calls.stream().mapToLong(ClosedLoad.Call::latencyNanos).sorted().toArray();
        StringBuilder row = new StringBuilder("| ").append(client);
        cell(row, setUp);
        cell(row, String.format(Locale.ROOT, "%.1f s", wall / 1e9));
        cell(row, baselineNanos > 0 ? String.format(Locale.ROOT, "%.2f", (double) wall / baselineNanos) : "-");
        cell(row, String.format(Locale.ROOT, "%.0f", calls.size() / (wall / 1e9)));
        cell(row, millis(percentile(latencies, 0.50)));
        cell(row, millis(percentile(latencies, 0.99)));
        cell(row, ok + " (" + possible + ")");
        cell(row, counts(others));
        cell(row, counts(gaveUp));
        cell(row, Integer.toString(requests));
        cell(row, counts(refused));
        cell(row, load);
        return row.append(" |").toString();
    }

    /** The first of the call's scripted answers that a retry cannot change, within max-attempts, is a 200. */
    static boolean perfectRetrierEndsIn200(long seed, long call, int maxAttempts) {
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            SporadicServer.Kind kind = SporadicServer.draw(seed, call, attempt).kind();
            if (!RETRYABLE.contains(kind)) {
                return kind == SporadicServer.Kind.OK || kind == SporadicServer.Kind.SLOW_OK;
            }
        }
        return false;
    }

    /** What a perfect retrier of {@code maxAttempts} sends for calls 1..{@code calls}, and how many end in 200. */
    static String perfectRetrier(long seed, int calls, int maxAttempts) {
        long requests = 0;
        int ok = 0;
        for (long call = 1; call <= calls; call++) {
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                requests++;
                if (!RETRYABLE.contains(SporadicServer.draw(seed, call, attempt).kind())) {
                    break;
                }
            }
            ok += perfectRetrierEndsIn200(seed, call, maxAttempts) ? 1 : 0;
        }
        return String.format(Locale.ROOT, "a perfect retrier of %d attempts sends %d for %d calls, %d of them ending in 200",
                maxAttempts, requests, calls, ok);
    }

    /** {@code 0}, or {@code 12} for one kind, or {@code 15 (a: 12, b: 3)}. */
    private static String counts(Map<String, Integer> byKind) {
        int total = byKind.values().stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            return "0";
        }
        StringBuilder kinds = new StringBuilder();
        byKind.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(kind).append(": ").append(n));
        return total + " (" + kinds + ")";
    }

    /** Nearest rank. */
    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String millis(long nanos) {
        return nanos < 0 ? "-" : (nanos / 1_000_000) + " ms";
    }

    private static void cell(StringBuilder row, String value) {
        row.append(" | ").append(value);
    }
}
