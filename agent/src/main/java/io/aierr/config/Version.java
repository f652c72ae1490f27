package io.aierr.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, as Maven stamped it into the jar. */
public final class Version {
    private Version() {
    }

    public static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/io/aierr/aierr-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }
}
