package io.aierr.core.usage;

import java.io.IOException;

/**
 * Passes a JSON body on in pieces with the middle of its long strings left out, so that the parser
 * behind it never decodes a completion's text: the fields read for usage are short, while the text
 * can be most of a 64 KiB answer. Jackson's non-blocking parser decodes every string it meets, and
 * until the JIT has compiled it (minutes, on a busy machine) that costs 1-2 ms per 64 KiB, more
 * than the rest of aierr's work on the call; this loop is small enough to be compiled at once.
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

    void pass(byte[] bytes, int from, int to, Pieces pieces) throws IOException {
        int pieceStart = from;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (!inString) {
                if (b == '"') {
                    inString = true;
                    kept = 0;
                }
                continue;
            }
            if (afterBackslash) {
                afterBackslash = false;
                hexLeft = b == 'u' ? 4 : 0;
            } else if (hexLeft > 0) {
                hexLeft--;
            } else if (b == '\\') {
                afterBackslash = true;
            } else if (b == '"') {
                inString = false;
                if (cutting) {
                    cutting = false;
                    pieceStart = i;
                }
                continue;
            } else if (!cutting && kept >= KEPT && (b & 0xC0) != 0x80) {
                // a character's first byte, outside any escape: the parser sees a whole prefix
                cutting = true;
                if (i > pieceStart) {
                    pieces.next(bytes, pieceStart, i);
                }
            }
            kept++;
        }
        if (!cutting && to > pieceStart) {
            pieces.next(bytes, pieceStart, to);
        }
    }
}
