package io.aierr.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One recorded error response from {@code src/test/resources/corpus/*.jsonl}: what a provider sent
 * ({@code input}, in the {@code classify} command's input format), where that shape is documented
 * ({@code source}) and what aierr must make of it ({@code expect}; only the fields given are checked).
 */
public final class CorpusCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields of {@code expect} compared as text with the same field of the answer. */
    private static final List<String> TEXT_FIELDS = List.of("provider", "category", "code", "type");
    private static final Set<String> KNOWN_FIELDS = Set.of("provider", "category", "code", "type", "retryable",
            "retry_after_ms");
    private static final int SHOWN_INPUT_CHARS = 600;

    public final String id;
    public final String source;
    public final JsonNode input;
    private final JsonNode expect;

    private CorpusCase(JsonNode line) {
        id = line.path("id").asText();
        source = line.path("source").asText();
        input = line.path("input");
        expect = line.path("expect");
    }

    /** The corpus files, by name. */
    public static List<Path> files() {
        URL dir = CorpusCase.class.getResource("/corpus");
        if (dir == null) {
            throw new IllegalStateException("no corpus on the test class path");
        }
        try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<CorpusCase> read(Path file) {
        List<CorpusCase> cases = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    cases.add(new CorpusCase(JSON.readTree(line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid JSON Lines", e);
        }
        return cases;
    }

    /** Problems with the case itself, so a typo in the corpus is not mistaken for a classifier bug. */
    public List<String> defects() {
        List<String> defects = new ArrayList<>();
        if (id.isEmpty() || source.isEmpty()) {
            defects.add("needs an id and a source");
        }
        if (!input.path("status").isInt()) {
            defects.add("input needs a numeric status");
        }
        if (!expect.path("category").isTextual()) {
            defects.add("expect needs a category");
        }
        for (Iterator<String> names = expect.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN_FIELDS.contains(name)) {
                defects.add("unknown expect field " + name);
            }
        }
        return defects;
    }

    /** Every way the answer differs from the expectation; empty when it matches. */
    public List<String> mismatches(JsonNode answer) {
        List<String> mismatches = new ArrayList<>();
        if (answer == null) {
            mismatches.add("no answer");
            return mismatches;
        }
        if (answer.has("error")) {
            mismatches.add("answered with an error: " + answer.get("error").asText());
            return mismatches;
        }
        for (String field : TEXT_FIELDS) {
            if (expect.has(field) && !sameText(expect.get(field), answer.get(field))) {
                mismatches.add(field + " expected " + expect.get(field) + " got " + answer.get(field));
            }
        }
        if (expect.has("retryable") && !expect.get("retryable").equals(answer.get("retryable"))) {
            mismatches.add("retryable expected " + expect.get("retryable") + " got " + answer.get("retryable"));
        }
        if (expect.has("retry_after_ms") && !sameMillis(expect.get("retry_after_ms"), answer.get("retry_after_ms"))) {
            mismatches.add("retry_after_ms expected " + expect.get("retry_after_ms") + " got " + answer.get("retry_after_ms"));
        }
        if (answer.path("status").asInt() != input.path("status").asInt()) {
            mismatches.add("status expected " + input.path("status") + " got " + answer.get("status"));
        }
        return mismatches;
    }

    /** The failure report for one case: id, source, each mismatch, what went in and what came out. */
    public String report(List<String> mismatches, JsonNode answer) {
        String shown = input.toString();
        if (shown.length() > SHOWN_INPUT_CHARS) {
            shown = shown.substring(0, SHOWN_INPUT_CHARS) + "...";
        }
        return id + " (source: " + source + "): " + String.join("; ", mismatches)
                + "\n  input:  " + shown + "\n  answer: " + answer;
    }

    private static boolean sameText(JsonNode expected, JsonNode actual) {
        if (expected.isNull()) {
            return actual == null || actual.isNull();
        }
        return actual != null && !actual.isNull() && expected.asText().equals(actual.asText());
    }

    private static boolean sameMillis(JsonNode expected, JsonNode actual) {
        if (expected.isNull()) {
            return actual == null || actual.isNull();
        }
        return actual != null && actual.isIntegralNumber() && actual.longValue() == expected.longValue();
    }

    /** The cases' inputs as JSON Lines, the classify command's batch format. */
    public static String jsonLines(List<CorpusCase> cases) {
        return cases.stream().map(c -> c.input.toString()).collect(Collectors.joining("\n", "", "\n"));
    }
}
