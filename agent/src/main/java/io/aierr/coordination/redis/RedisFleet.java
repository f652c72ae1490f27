package io.aierr.coordination.redis;

import io.aierr.core.limits.Fleet;
import io.aierr.core.limits.FleetView;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The JVMs that share a Redis: one daemon thread, {@code aierr-fleet}, exchanges each endpoint's
 * {@link FleetView} with the others every {@link #TICK_NANOS} (at once when this JVM learned a
 * hold), in one atomic script per endpoint ({@code sync.lua}). App threads never talk to Redis.
 *
 * <p>Each JVM's share of an endpoint's limit is its demand (calls in progress) over the fleet's, so
 * the fleet together paces to what the server accepts; a 429's hold and an opened breaker reach
 * every JVM, and the retry budget counts the fleet's calls and retries. Redis
 * sees host, port, a hash of the API key, counts and times: never a key, a prompt or a response.
 *
 * <p>Connecting happens only on this thread. When Redis is down, slow (a call past the deadline) or
 * refuses the credentials, one warning line says so, every endpoint goes on alone at once, and the
 * thread tries again every {@link #RECONNECT_NANOS}. Alone, each endpoint keeps what the fleet said
 * last for {@link #GRACE_NANOS}: a call that missed its deadline on a busy machine (the fleet's
 * thread not scheduled in time) and the reconnect a second later then cost no JVM its share, while
 * a fleet that stays out of reach leaves each JVM to its own evidence.
 */
public final class RedisFleet implements Fleet, Runnable {
    private static final long TICK_NANOS = 50_000_000L;
    private static final long RECONNECT_NANOS = 1_000_000_000L;
    private static final int CONNECT_MILLIS = 1_000;
    /** Long enough for the first reconnect to answer: a hold ends by its own time, a share would go stale. */
    private static final long GRACE_NANOS = RECONNECT_NANOS * 3 / 2;
    /** A fleet that is gone leaves nothing behind after this. */
    static final long TTL_MILLIS = 60_000;
    /** A JVM silent for this long no longer counts in the fleet's demand. */
    static final long STALE_MILLIS = 1_000;
    static final String KEY_PREFIX = "aierr:fleet:";

    private final RedisUrl url;
    private final int deadlineMillis;
    private final Consumer<String> warn;
    private final String member;
    private final String script;
    private final List<FleetView> views = new CopyOnWriteArrayList<>();
    private final Thread thread;
    /** Used by {@link #thread} only, as are the fields below. */
    private RespConnection connection;
    private String scriptSha;
    private long reconnectAt;
    /** A warning said Redis cannot be reached, and it has not answered since. */
    private boolean outage;
    /** When the endpoints stop trusting what the fleet said last, while out of reach; 0 when they already did or Redis answers. */
    private long aloneAt;

    private RedisFleet(RedisUrl url, long deadlineMillis, Consumer<String> warn) {
        this.url = url;
        this.deadlineMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadlineMillis));
        this.warn = warn;
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        this.member = hex(id);
        this.script = syncScript();
        this.thread = new Thread(this, "aierr-fleet");
        thread.setDaemon(true);
    }

    /**
     * Starts the fleet's thread, which connects; returns at once.
     *
     * @throws IllegalArgumentException when the URL is malformed (the message names no password)
     */
    public static Fleet start(String setting, long deadlineMillis, Consumer<String> warn) {
        RedisFleet fleet = new RedisFleet(RedisUrl.parse(setting), deadlineMillis, warn);
        fleet.thread.start();
        return fleet;
    }

    @Override
    public void join(FleetView view) {
        view.whenHeld(() -> LockSupport.unpark(thread));
        views.add(view);
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        while (true) {
            long next = System.nanoTime() + TICK_NANOS;
            try {
                if (connection != null || System.nanoTime() - reconnectAt >= 0) {
                    exchange();
                }
            } catch (IOException | RuntimeException e) {
                goAlone(e);
            }
            if (aloneAt != 0 && System.nanoTime() - aloneAt >= 0) {
                aloneAt = 0;
                views.forEach(FleetView::alone);
            }
            long rest = next - System.nanoTime();
            if (rest > 0) {
                LockSupport.parkNanos(this, rest);
            }
        }
    }

    /** One exchange per endpoint; connects first when needed. */
    private void exchange() throws IOException {
        if (connection == null) {
            connection = RespConnection.open(url, Math.max(CONNECT_MILLIS, deadlineMillis), deadlineMillis);
            scriptSha = (String) connection.call("SCRIPT", "LOAD", script);
        }
        for (FleetView view : views) {
            long now = System.nanoTime();
            int demand = view.demand();
            long calls = view.calls();
            long retries = view.retries();
            double passRate = view.passRate(now);
            String tokenPasses = view.tokenPasses();
            List<?> reply = (List<?>) connection.call("EVALSHA", scriptSha, "1", KEY_PREFIX + view.key, member,
                    Integer.toString(demand), Long.toString(calls), Long.toString(retries),
                    Long.toString(view.takeHold(now)), Long.toString(view.takeBreakerOpen(now)),
                    Double.toString(view.takeRate()), Long.toString(TTL_MILLIS), Long.toString(STALE_MILLIS),
                    view.takeTokens(), Double.toString(passRate), tokenPasses);
            int mine = Math.max(1, demand);
            long others = Math.max(0, (Long) reply.get(2) - demand);
            view.heard(System.nanoTime(), mine / (double) (mine + others), (Long) reply.get(0), (Long) reply.get(1),
                    Math.max(0, (Long) reply.get(3) - calls), Math.max(0, (Long) reply.get(4) - retries),
                    (Long) reply.get(5) / (double) Math.max(1, (Long) reply.get(6)),
                    Double.parseDouble((String) reply.get(7)), (Long) reply.get(8),
                    Math.max(0, Double.parseDouble((String) reply.get(9)) - passRate));
            view.heardTokenPasses((String) reply.get(10), tokenPasses);
        }
        aloneAt = 0;
        if (outage) {
            outage = false;
            warn.accept("Redis at " + url + " answers again: limits are shared with the fleet");
        }
    }

    /**
     * Redis cannot be reached or answered wrong: every endpoint goes on alone at once, with what the
     * fleet said last until {@link #GRACE_NANOS} have passed without an answer.
     */
    private void goAlone(Exception why) {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        long now = System.nanoTime();
        reconnectAt = now + RECONNECT_NANOS;
        if (!outage) {
            aloneAt = now + GRACE_NANOS;
            outage = true;
            warn.accept("Redis at " + url + " " + reason(why) + ": limits are local to this JVM until it answers "
                    + "again (trying every second in the background)");
        }
    }

    private String reason(Exception why) {
        if (why instanceof RespConnection.ErrorReply) {
            RespConnection.ErrorReply reply = (RespConnection.ErrorReply) why;
            if (reply.is("WRONGPASS") || reply.is("NOAUTH") || reply.getMessage().contains("AUTH")) {
                return "refused the credentials";
            }
            return "answered an error (" + why.getMessage() + ")";
        }
        if (why instanceof SocketTimeoutException) {
            return "did not answer within " + deadlineMillis + "ms";
        }
        if (why instanceof ConnectException) {
            return "refused the connection";
        }
        return "cannot be reached (" + why + ")";
    }

    private static String syncScript() {
        try (InputStream in = RedisFleet.class.getResourceAsStream("sync.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("aierr.jar lacks its fleet script", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return s.toString();
    }
}
