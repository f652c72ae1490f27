package io.aierr.core.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongStringCutterTest {
    private static final JsonFactory JSON = new JsonFactory();
    /** Characters of one to four bytes and every kind of escape, for cuts to land on or inside. */
    private static final String[] PIECES = {"a", " ", "é", "中", "😀", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\/"};

    private static byte[] cut(byte[] body, int chunk) throws IOException {
        LongStringCutter cutter = new LongStringCutter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += chunk) {
            cutter.pass(body, i, Math.min(body.length, i + chunk), (b, from, to) -> out.write(b, from, to - from));
        }
        return out.toByteArray();
    }

    /** The body's tokens, as a parser reads them: names and values as text. */
    private static List<String> tokens(byte[] body) throws IOException {
        List<String> tokens = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                tokens.add(t + " " + p.getText());
            }
        }
        return tokens;
    }

    private static String randomText(Random random, int pieces) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    @Test
    void longStringsKeepTheirStartAndEveryOtherTokenIsUntouched() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            String longText = randomText(random, 300 + random.nextInt(2000));
            String shortText = randomText(random, 1 + random.nextInt(100)); // at most 1200 bytes: under KEPT
            byte[] body = ("{\"id\":\"" + shortText + "\",\"choices\":[{\"message\":{\"content\":\"" + longText
                    + "\"},\"finish_reason\":\"stop\"}],\"" + longText + "\":[1,2.5,true,null],"
                    + "\"usage\":{\"prompt_tokens\":12}}").getBytes(StandardCharsets.UTF_8);
            List<String> whole = tokens(body);
            byte[] once = cut(body, body.length);
            for (int chunk : new int[] {1, 3, 1 + random.nextInt(4096)}) {
                assertArrayEquals(once, cut(body, chunk), "the cut does not depend on the chunks, round " + round);
            }
            List<String> seen = tokens(once); // valid JSON, or this throws
            assertEquals(whole.get(2), seen.get(2), "a short string is passed whole");
            assertEquals(whole.size(), seen.size());
            for (int i = 0; i < whole.size(); i++) {
                String expected = whole.get(i);
                String actual = seen.get(i);
                if (!expected.equals(actual)) {
                    String kept = actual.substring(actual.indexOf(' ') + 1);
                    assertTrue(expected.startsWith(actual) && kept.length() >= 200, "round " + round + ": " + actual);
                }
            }
        }
    }

    @Test
    void aSixtyFourKibCompletionReachesTheParserAsAboutTwoKib() throws IOException {
        String text = "lorem ".repeat(11_000);
        byte[] body = ("{\"choices\":[{\"message\":{\"content\":\"" + text + "\"}}],\"usage\":{\"prompt_tokens\":1}}")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(cut(body, 4096).length < 2 * LongStringCutter.KEPT, "passed on: " + cut(body, 4096).length);
    }
}
