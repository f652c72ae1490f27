package io.aierr.coordination.redis;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the fleet knows, per endpoint, as {@code java -jar aierr.jar status --coordination redis://...}
 * prints it for an SRE: the JVMs that share it, the rate, the tokens left, a hold, the breaker, the
 * retry budget.
 * Read only: it changes nothing in Redis.
 */
public final class FleetStatus {
    private static final int TIMEOUT_MILLIS = 2_000;

    private FleetStatus() {
    }

    /** @return the exit code: 0, or 1 when Redis cannot be read (one line on {@code err}, never the password) */
    public static int print(String setting, PrintStream out, PrintStream err) {
        RedisUrl url;
        try {
            url = RedisUrl.parse(setting);
        } catch (IllegalArgumentException e) {
            err.println("aierr: not a Redis URL: " + e.getMessage());
            return 2;
        }
        try (RespConnection redis = RespConnection.open(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS)) {
            List<?> time = (List<?>) redis.call("TIME");
            long now = Long.parseLong((String) time.get(0)) * 1000 + Long.parseLong((String) time.get(1)) / 1000;
            List<String> keys = keys(redis);
            if (keys.isEmpty()) {
                out.println("no endpoint shared through " + url + " (none in the last "
                        + RedisFleet.TTL_MILLIS / 1000 + " s)");
            }
            for (String key : keys) {
                out.println(describe(key.substring(RedisFleet.KEY_PREFIX.length()), fields(redis.call("HGETALL", key)),
                        now, (Long) redis.call("PTTL", key)));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("aierr: cannot read the fleet's state from " + url + ": " + e.getMessage());
            return 1;
        }
    }

    private static List<String> keys(RespConnection redis) throws IOException {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) redis.call("SCAN", cursor, "MATCH", RedisFleet.KEY_PREFIX + "*", "COUNT", "100");
            cursor = (String) page.get(0);
            for (Object key : (List<?>) page.get(1)) {
                keys.add((String) key);
            }
        } while (!cursor.equals("0"));
        keys.sort(null);
        return keys;
    }

    private static Map<String, String> fields(Object reply) {
        Map<String, String> fields = new TreeMap<>();
        List<?> flat = (List<?>) reply;
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }

    /** One endpoint, in lines: {@code host:port[:key hash]}, then what its JVMs share. */
    static String describe(String endpoint, Map<String, String> fields, long now, long ttlMillis) {
        int jvms = 0;
        long inProgress = 0;
        long calls = 0;
        long retries = 0;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            String[] counts = f.getValue().split(":");
            boolean live = counts.length == 4 && now - Long.parseLong(counts[3]) <= RedisFleet.STALE_MILLIS;
            if (f.getKey().startsWith("m:") && live) {
                jvms++;
                inProgress += Long.parseLong(counts[0]);
                calls += Long.parseLong(counts[1]);
                retries += Long.parseLong(counts[2]);
            }
        }
        String rate = fields.get("rate");
        return endpoint
                + line("JVMs", jvms + " live, " + inProgress + " calls in progress")
                + line("rate", rate == null ? "not learned"
                        : String.format(java.util.Locale.ROOT, "%.1f requests/s", Double.parseDouble(rate)))
                + line("tokens", tokens(fields.get("tokens"), now))
                + line("held", until(fields.get("held"), now, "not held"))
                + line("breaker", until(fields.get("open"), now, "closed"))
                + line("retry budget", calls + " calls, " + retries + " retries in the last 10 s")
                + line("expires", "in " + Math.max(0, ttlMillis) / 1000 + " s without news");
    }

    private static String line(String label, String value) {
        return String.format("%n  %-14s%s", label, value);
    }

    /** {@code remaining:limit:refill:at}, as the last JVM that read token counters told them. */
    private static String tokens(String seen, long now) {
        String[] f = seen == null ? new String[0] : seen.split(":");
        if (f.length != 4) {
            return "no token counters seen";
        }
        return f[0] + " of " + f[1] + " left, refilling " + f[2] + "/s (read " + Math.max(0, now - Long.parseLong(f[3]))
                + " ms ago)";
    }

    private static String until(String at, long now, String otherwise) {
        long left = at == null ? 0 : Long.parseLong(at) - now;
        return left > 0 ? "for " + left + " ms more" : otherwise;
    }
}
