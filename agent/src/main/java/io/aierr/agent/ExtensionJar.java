package io.aierr.agent;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Finds aierr.jar among the OpenTelemetry agent's extensions. The agent loads extensions through
 * URLs of its own scheme, so the jar's location is taken from where the user named it:
 * {@code otel.javaagent.extensions} (or {@code OTEL_JAVAAGENT_EXTENSIONS}), a comma-separated list of
 * jars and folders of jars.
 */
final class ExtensionJar {
    private static final String MARKER = AierrAgent.class.getName().replace('.', '/') + ".class";

    private ExtensionJar() {
    }

    /** aierr.jar as a file, or null when no listed extension is it. */
    static File find() {
        String listed = System.getProperty("otel.javaagent.extensions", System.getenv("OTEL_JAVAAGENT_EXTENSIONS"));
        if (listed == null) {
            return null;
        }
        for (String entry : listed.split(",")) {
            for (File candidate : jars(new File(entry.trim()))) {
                if (isAierr(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static List<File> jars(File entry) {
        List<File> out = new ArrayList<>();
        File[] inFolder = entry.listFiles((dir, name) -> name.endsWith(".jar"));
        if (inFolder != null) {
            out.addAll(List.of(inFolder));
        } else if (entry.isFile()) {
            out.add(entry);
        }
        return out;
    }

    private static boolean isAierr(File jar) {
        try (JarFile file = new JarFile(jar)) {
            return file.getEntry(MARKER) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
