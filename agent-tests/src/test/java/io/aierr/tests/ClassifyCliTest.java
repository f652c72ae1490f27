package io.aierr.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aierr.config.Version;
import io.aierr.tests.support.AierrCommand;
import io.aierr.tests.support.CorpusCase;
import io.aierr.tests.support.ForkedJvm;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * {@code java -jar aierr.jar classify} (DESIGN.md "CLI") against the corpus of real provider error
 * responses, one JVM per corpus file fed as JSON Lines, plus the command's input/output contract.
 */
class ClassifyCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENAI = "https://api.openai.com/v1/chat/completions";
    private static final String RATE_LIMIT_BODY = "{\"error\":{\"message\":\"Rate limit reached for requests\","
            + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
    private static final List<String> ANSWER_FIELDS = List.of("provider", "category", "status", "code", "type",
            "message", "retryable", "retry_after_ms", "solution");

    @TestFactory
    Stream<DynamicContainer> corpus() {
        return CorpusCase.files().stream().map(ClassifyCliTest::classifyFile);
    }

    private static DynamicContainer classifyFile(Path file) {
        List<CorpusCase> cases = CorpusCase.read(file);
        ForkedJvm.Result run = classify(CorpusCase.jsonLines(cases));
        List<JsonNode> answers = answers(run.stdout);
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(dynamicTest("one answer per case", () -> {
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(cases.size(), answers.size(), run.toString());
            // answers name exceptions (Bedrock's ThrottlingException), so only stderr is checked here
            assertNoStackTrace(run.stderr);
        }));
        IntStream.range(0, cases.size()).forEach(i -> {
            CorpusCase c = cases.get(i);
            JsonNode answer = i < answers.size() ? answers.get(i) : null;
            tests.add(dynamicTest(c.id, () -> {
                List<String> problems = c.defects();
                problems.addAll(c.mismatches(answer));
                assertTrue(problems.isEmpty(), () -> c.report(problems, answer));
            }));
        });
        return dynamicContainer(file.getFileName().toString(), tests.stream());
    }

    @Test
    void aSingleObjectSpreadOverLinesGetsOneAnswerWithEveryField() throws Exception {
        String pretty = "{\n  \"url\": \"" + OPENAI + "\",\n  \"method\": \"POST\",\n  \"status\": 429,\n"
                + "  \"headers\": {\"retry-after\": \"2\"},\n  \"body\": " + JSON.writeValueAsString(RATE_LIMIT_BODY) + "\n}\n";
        ForkedJvm.Result run = classify(pretty);
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(1, answers.size(), run.toString());
        JsonNode answer = answers.get(0);
        for (String field : ANSWER_FIELDS) {
            assertTrue(answer.has(field), "answer lacks " + field + ": " + answer);
        }
        assertEquals("openai", answer.path("provider").asText(), answer.toString());
        assertEquals("rate_limited", answer.path("category").asText(), answer.toString());
        assertEquals(429, answer.path("status").asInt(), answer.toString());
        assertEquals("rate_limit_exceeded", answer.path("code").asText(), answer.toString());
        assertTrue(answer.path("retryable").asBoolean(), answer.toString());
        assertEquals(2000, answer.path("retry_after_ms").asLong(), answer.toString());
    }

    @Test
    void jsonLinesGetOneAnswerPerLineInOrder() throws Exception {
        String lines = String.join("\r\n",
                response(OPENAI, 429, Map.of(), RATE_LIMIT_BODY),
                response("https://api.anthropic.com/v1/messages", 401, Map.of(),
                        "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"),
                response("http://1.cn-hangzhou.pai-eas.aliyuncs.com/api/predict/svc", 450, Map.of(), ""));
        ForkedJvm.Result run = classify(lines);
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(List.of("rate_limited", "authentication", "queue_full"),
                answers.stream().map(a -> a.path("category").asText()).collect(Collectors.toList()),
                run.toString());
    }

    @Test
    void headerValuesMayBeArraysAndNamesAnyCase() throws Exception {
        ForkedJvm.Result run = classify(String.join("\n",
                response(OPENAI, 429, Map.of("Retry-After", List.of("3")), RATE_LIMIT_BODY),
                response(OPENAI, 429, Map.of("RETRY-AFTER", "4"), RATE_LIMIT_BODY)));
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(2, answers.size(), run.toString());
        assertEquals(3000, answers.get(0).path("retry_after_ms").asLong(), run.toString());
        assertEquals(4000, answers.get(1).path("retry_after_ms").asLong(), run.toString());
    }

    @Test
    void aStreamIsAnsweredWithItsFirstErrorEventAndWhereItWas() throws Exception {
        String chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(1000) + "\"}}]}\n\n";
        String body = chunk.repeat(80) + "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                + "\"code\":429}}\n\ndata: [DONE]\n\n";
        ForkedJvm.Result run = classify(response("http://10.0.0.7:8000/v1/chat/completions", 200,
                Map.of("content-type", "text/event-stream"), body));
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.toString());
        JsonNode answer = answers.get(0);
        for (String field : ANSWER_FIELDS) {
            assertTrue(answer.has(field), "answer lacks " + field + ": " + answer);
        }
        assertEquals("rate_limited", answer.path("category").asText(), "found past the 64 KiB an error body is read to");
        assertEquals(200, answer.path("status").asInt(), "the HTTP status; the event named its own 429");
        assertEquals(82, answer.path("stream").path("events").asInt(), answer.toString());
        assertEquals(81, answer.path("stream").path("at").asInt(), answer.toString());
    }

    @Test
    void aStreamWithoutAnErrorHasNoCategory() throws Exception {
        ForkedJvm.Result run = classify(response(OPENAI, 200, Map.of("content-type", "text/event-stream; charset=utf-8"),
                "data: {\"choices\":[{\"delta\":{\"content\":\"error\"},\"finish_reason\":null}]}\n\n"
                        + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.toString());
        JsonNode answer = answers.get(0);
        assertTrue(answer.get("category").isNull(), answer.toString());
        assertFalse(answer.path("retryable").asBoolean(), answer.toString());
        assertTrue(answer.get("retry_after_ms").isNull(), answer.toString());
        assertEquals(3, answer.path("stream").path("events").asInt(), answer.toString());
        assertTrue(answer.path("stream").get("at").isNull(), answer.toString());
        assertFalse(answers(classify(response(OPENAI, 429, Map.of(), RATE_LIMIT_BODY)).stdout).get(0).has("stream"),
                "only a stream's answer says where in the stream");
    }

    @Test
    void invalidJsonGetsAJsonErrorAndAFailingExitCode() throws Exception {
        for (String bad : List.of("{not json", "[1, 2]", "\"just a string\"", "{\"url\": \"" + OPENAI + "\"}",
                "{\"status\": \"soon\"}", "{\"status\": 200, \"body_base64\": \"not base64!\"}")) {
            ForkedJvm.Result run = classify(bad);
            assertNotEquals(0, run.exitCode, bad + "\n" + run);
            List<JsonNode> answers = answers(run.stdout);
            assertEquals(1, answers.size(), bad + "\n" + run);
            assertTrue(answers.get(0).has("error"), bad + "\n" + run);
            assertNoStackTrace(run.stdout + run.stderr);
        }
    }

    @Test
    void aBadLineAmongJsonLinesIsReportedAndTheOthersAreStillAnswered() throws Exception {
        ForkedJvm.Result run = classify(String.join("\n",
                response(OPENAI, 429, Map.of(), RATE_LIMIT_BODY),
                "{\"url\": \"" + OPENAI + "\", \"status\": 4",
                response(OPENAI, 503, Map.of(), "")));
        List<JsonNode> answers = answers(run.stdout);
        assertNotEquals(0, run.exitCode, run.toString());
        assertEquals(3, answers.size(), run.toString());
        assertEquals("rate_limited", answers.get(0).path("category").asText(), run.toString());
        assertTrue(answers.get(1).has("error"), run.toString());
        assertEquals("unavailable", answers.get(2).path("category").asText(), run.toString());
        assertNoStackTrace(run.stdout + run.stderr);
    }

    /** Nothing to classify is bad input too: a JSON error, not silence, so a broken pipe is noticed. */
    @Test
    void emptyStandardInputGetsAJsonError() throws Exception {
        for (String empty : List.of("", "\n\n  \n")) {
            ForkedJvm.Result run = classify(empty);
            assertNotEquals(0, run.exitCode, run.toString());
            List<JsonNode> answers = answers(run.stdout);
            assertEquals(1, answers.size(), run.toString());
            assertTrue(answers.get(0).has("error"), run.toString());
            assertNoStackTrace(run.stdout + run.stderr);
        }
    }

    @Test
    void noArgumentsPrintsUsageAndVersion() throws Exception {
        ForkedJvm.Result run = AierrCommand.run("");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.stdout.contains("classify"), run.toString());
        assertTrue(run.stdout.contains(Version.get()), run.toString());
    }

    @Test
    void anUnknownCommandPrintsUsageAndFails() throws Exception {
        ForkedJvm.Result run = AierrCommand.run("", "frobnicate");
        assertNotEquals(0, run.exitCode, run.toString());
        assertTrue((run.stdout + run.stderr).contains("classify"), run.toString());
        assertNoStackTrace(run.stdout + run.stderr);
    }

    @Test
    void aFiveMegabyteBodyIsAnswered() throws Exception {
        String message = "x".repeat(5 * 1024 * 1024);
        String body = "{\"error\":{\"message\":\"" + message + "\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
        ForkedJvm.Result run = classify(response(OPENAI, 429, Map.of("retry-after", "1"), body));
        assertFalse(run.timedOut, "no answer within the command's timeout");
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.stderr);
        assertEquals(1, answers.size(), run.stderr);
        assertEquals("rate_limited", answers.get(0).path("category").asText(), answers.get(0).toString());
        assertEquals(1000, answers.get(0).path("retry_after_ms").asLong(), answers.get(0).toString());
        assertTrue(run.stdout.length() < 1024 * 1024, "the answer must not echo the whole body");
    }

    @Test
    void aBinaryBodyIsAnswered() throws Exception {
        Random random = new Random(42);
        StringBuilder binary = new StringBuilder();
        for (int i = 0; i < 256 * 1024; i++) {
            binary.append((char) random.nextInt(256));
        }
        ForkedJvm.Result run = classify(response("http://1.cn-hangzhou.pai-eas.aliyuncs.com/api/predict/svc", 502,
                Map.of("content-type", "application/octet-stream"), binary.toString()));
        assertFalse(run.timedOut, "no answer within the command's timeout");
        List<JsonNode> answers = answers(run.stdout);
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(1, answers.size(), run.toString());
        assertEquals("bad_gateway", answers.get(0).path("category").asText(), answers.get(0).toString());
        assertEquals("pai-eas", answers.get(0).path("provider").asText(), answers.get(0).toString());
        assertNoStackTrace(run.stdout + run.stderr);
    }

    private static ForkedJvm.Result classify(String stdin) {
        try {
            return AierrCommand.run(stdin, "classify");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String response(String url, int status, Map<String, ?> headers, String body) {
        try {
            return JSON.writeValueAsString(Map.of("url", url, "method", "POST", "status", status,
                    "headers", headers, "body", body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One answer per non-blank line of stdout; a line that is not JSON becomes an error answer, reported not thrown. */
    private static List<JsonNode> answers(String stdout) {
        List<JsonNode> answers = new ArrayList<>();
        for (String line : stdout.split("\\R")) {
            if (!line.isBlank()) {
                try {
                    answers.add(JSON.readTree(line));
                } catch (IOException e) {
                    answers.add(JSON.valueToTree(Map.of("error", "not JSON: " + line)));
                }
            }
        }
        return answers;
    }

    private static void assertNoStackTrace(String output) {
        assertFalse(output.contains("Exception") || output.contains("\tat ") || output.contains("at io."),
                "a stack trace leaked:\n" + output);
    }
}
