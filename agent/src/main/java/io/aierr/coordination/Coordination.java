package io.aierr.coordination;

import io.aierr.core.limits.Fleet;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The fleet {@code aierr.coordination} names: {@link Fleet#ALONE} for {@code local}, or the JVMs
 * that share a Redis. The Redis classes are loaded only when the setting names Redis, so local
 * mode costs nothing.
 */
public final class Coordination {
    public static final String LOCAL = "local";
    private static final String REDIS_FLEET = "io.aierr.coordination.redis.RedisFleet";
    /** The password part of {@code scheme://user:password@host}. */
    private static final Pattern PASSWORD = Pattern.compile("(//[^/@]*?:)[^/@]*@");

    private Coordination() {
    }

    /**
     * @param setting        the value of {@code aierr.coordination}, or null
     * @param deadlineMillis how long one Redis call may take before aierr goes on alone
     * @param warn           where one line per problem goes; never given a password
     */
    public static Fleet fleet(String setting, long deadlineMillis, Consumer<String> warn) {
        if (setting == null || LOCAL.equalsIgnoreCase(setting)) {
            return Fleet.ALONE;
        }
        String scheme = setting.toLowerCase(Locale.ROOT);
        if (!scheme.startsWith("redis://") && !scheme.startsWith("rediss://")) {
            warn.accept("ignoring aierr.coordination='" + redacted(setting)
                    + "': expected local or redis://[user:password@]host:port[/db] (rediss:// for TLS); using local");
            return Fleet.ALONE;
        }
        try {
            // by name: nothing of the Redis client is linked until here
            return (Fleet) Class.forName(REDIS_FLEET).getMethod("start", String.class, long.class, Consumer.class)
                    .invoke(null, setting, deadlineMillis, warn);
        } catch (InvocationTargetException e) {
            warn.accept("ignoring aierr.coordination='" + redacted(setting) + "': " + e.getCause().getMessage()
                    + "; using local");
            return Fleet.ALONE;
        } catch (ReflectiveOperationException | LinkageError e) {
            warn.accept("fleet coordination not started, limits stay local: " + e);
            return Fleet.ALONE;
        }
    }

    /** The setting as it may be printed: any password replaced by {@code ****}. */
    public static String redacted(String setting) {
        return PASSWORD.matcher(setting).replaceFirst("$1****@");
    }
}
