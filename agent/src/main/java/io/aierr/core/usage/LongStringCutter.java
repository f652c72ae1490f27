package io.aierr.core.usage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Passes a JSON body on in pieces with the middle of its long strings left out, so that the parser
 * behind it never decodes a completion's text: the fields read for usage are short, while the text
 * can be most of a 64 KiB answer. Jackson's non-blocking parser decodes every string it meets, and
 * until the JIT has compiled it (which a cold JVM under load may put off for many seconds) that costs
 * 1-2 ms per 64 KiB, more than the rest of aierr's work on the call. The cut part is not looked at
 * byte by byte either: its end is found by the JDK's string search.
 *
 * <p>Where a string is may be told from the bytes alone: outside strings a quote opens one, and
 * inside one the only unescaped quote closes it. A string keeps its first {@link #KEPT} bytes and
 * its closing quote; the cut starts at the first character boundary after them that is not inside
 * an escape, so what the parser sees is valid JSON whenever the body is. Fed in order, one body each.
 */
final class LongStringCutter {
    /**
     * Bytes of a string kept: at least the 200 characters a read value is cut to, however they are
     * written (an escaped one takes six bytes).
     */
    static final int KEPT = 1280;

    /** Where the kept pieces go. */
    interface Pieces {
        void next(byte[] bytes, int from, int to) throws IOException;
    }

    private boolean inString;
    private boolean afterBackslash;
    /** Hex digits of a {@code \\uXXXX} escape still to come. */
    private int hexLeft;
    /** Bytes of the current string kept so far. */
    private int kept;
    private boolean cutting;
    /** While cutting: the backslashes that ended the last piece searched, which escape a quote that starts the next. */
    private int backslashesBefore;

    void pass(byte[] bytes, int from, int to, Pieces pieces) throws IOException {
        int pieceStart = from;
        int i = from;
        while (i < to) {
            if (cutting) {
                int close = closingQuote(bytes, i, to);
                if (close < 0) {
                    return; // the whole rest is cut
                }
                cutting = false;
                inString = false;
                pieceStart = close;
                i = close + 1;
                continue;
            }
            byte b = bytes[i];
            if (!inString) {
                if (b == '"') {
                    inString = true;
                    kept = 0;
                }
            } else if (afterBackslash) {
                afterBackslash = false;
                hexLeft = b == 'u' ? 4 : 0;
            } else if (hexLeft > 0) {
                hexLeft--;
            } else if (b == '\\') {
                afterBackslash = true;
            } else if (b == '"') {
                inString = false;
            } else if (kept >= KEPT && (b & 0xC0) != 0x80) {
                // a character's first byte, outside any escape: the parser sees a whole prefix
                cutting = true;
                backslashesBefore = 0;
                if (i > pieceStart) {
                    pieces.next(bytes, pieceStart, i);
                }
            }
            kept++;
            i++;
        }
        if (!cutting && to > pieceStart) {
            pieces.next(bytes, pieceStart, to);
        }
    }

    /**
     * The string's closing quote in {@code [from, to)}, or -1: the first quote after an even number
     * of backslashes. Searched as a Latin-1 string, one char per byte, by the JDK's own search, which
     * is compiled long before this class's code is when a cold JVM is under load.
     */
    private int closingQuote(byte[] bytes, int from, int to) {
        String span = new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
        for (int q = span.indexOf('"'); q >= 0; q = span.indexOf('"', q + 1)) {
            int run = backslashesAt(span, q);
            if (run == q) {
                run += backslashesBefore;
            }
            if (run % 2 == 0) {
                return from + q;
            }
        }
        int run = backslashesAt(span, span.length());
        backslashesBefore = run == span.length() ? backslashesBefore + run : run;
        return -1;
    }

    /** The backslashes right before index {@code end} of the span. */
    private static int backslashesAt(String span, int end) {
        int run = 0;
        while (run < end && span.charAt(end - 1 - run) == '\\') {
            run++;
        }
        return run;
    }
}
