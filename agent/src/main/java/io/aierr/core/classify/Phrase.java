package io.aierr.core.classify;

import java.util.regex.Pattern;

/**
 * Phrases an error's lower-cased text may say, as a regular expression, with words one of which
 * every match contains. An expression of many alternatives is tried at every position of the text,
 * which for a 2 KiB error body and a dozen such expressions cost over 100 µs per answer; the words
 * are found first by the JDK's string search, and a text with none of them is not searched further.
 */
final class Phrase {
    private final Pattern pattern;
    private final String[] words;

    /** @param words lower case; each match of {@code regex} contains one of them */
    Phrase(String regex, String... words) {
        this.pattern = Pattern.compile(regex);
        this.words = words;
    }

    /** Whether the lower-cased {@code text} says one of the phrases. */
    boolean in(String text) {
        for (String word : words) {
            if (text.contains(word)) {
                return pattern.matcher(text).find();
            }
        }
        return false;
    }

    /** The expression alone, without the words: what {@link #in} must always agree with. */
    boolean matchedByPatternAlone(String text) {
        return pattern.matcher(text).find();
    }
}
