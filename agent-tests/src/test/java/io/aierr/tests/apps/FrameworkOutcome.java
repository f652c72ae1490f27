package io.aierr.tests.apps;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How the self-retrying apps report a call that did not end in an answer, and read an answer's text. */
final class FrameworkOutcome {
    private static final Pattern TEXT = Pattern.compile("\"(?:content|text)\"\\s*:\\s*\"([^\"]*)\"");

    private FrameworkOutcome() {
    }

    /** The exception's class, as the app's own error handling would see it, and its innermost cause's. */
    static void failed(AppCall call, Throwable e) {
        call.print("exception", e.getClass().getName());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            call.print("cause", root.getClass().getName() + ": " + root.getMessage());
        }
    }

    /** The assistant's text in an OpenAI or Anthropic answer. */
    static String text(String body) {
        Matcher m = TEXT.matcher(body);
        return m.find() ? m.group(1) : body;
    }
}
