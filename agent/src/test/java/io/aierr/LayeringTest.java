package io.aierr;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dependencies point down: the core knows no client, no OpenTelemetry and no configuration source;
 * telemetry and the client adapters know the core, not the wiring above them.
 */
class LayeringTest {
    private static final Path SOURCES = Paths.get("src/main/java/io/aierr");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.aierr\\.(\\w+(?:\\.(?:classify|limits|retry|usage))?)",
            Pattern.MULTILINE);

    /**
     * Package under io.aierr -> the io.aierr packages it must not import. Inside the core, reading an
     * answer ({@code classify}) knows nothing of the endpoint's shared limits, and those know nothing
     * of the retry engine that uses them.
     */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "core/classify", List.of("core.limits", "core.retry"),
            "core/usage", List.of("core.limits", "core.retry"),
            "core/limits", List.of("core.retry"),
            "core", List.of("agent", "cli", "config", "coordination", "instrumentation", "telemetry", "bootstrap"),
            "coordination", List.of("agent", "cli", "config", "instrumentation", "telemetry", "bootstrap"),
            "telemetry", List.of("agent", "cli", "instrumentation", "bootstrap"),
            "instrumentation", List.of("agent", "cli", "config", "telemetry"),
            "config", List.of("agent", "cli", "instrumentation", "telemetry", "bootstrap"),
            "bootstrap", List.of("agent", "cli", "config", "core", "instrumentation", "telemetry"));

    @Test
    void dependenciesPointDown() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), SOURCES.toAbsolutePath().toString());
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<String>> layer : FORBIDDEN.entrySet()) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(layer.getKey()))) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    Matcher m = IMPORT.matcher(Files.readString(file));
                    while (m.find()) {
                        if (layer.getValue().contains(m.group(1))) {
                            violations.add(SOURCES.relativize(file) + " imports io.aierr." + m.group(1));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
