package io.aierr.telemetry;

import java.util.regex.Pattern;

/**
 * Removes secrets from everything aierr writes out (spans, metrics, console lines). Header values
 * never get this far: telemetry is given no request or response headers at all.
 */
public final class Redaction {
    static final String REDACTED = "REDACTED";

    /** Query or inline {@code name=value} pairs whose value is a credential (case-insensitive). */
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)(?<![A-Za-z0-9_.-])("
            + "key|api[-_]?key|subscription-key|access[-_]token|token|sig|signature|client[-_]secret|password"
            + "|x-goog-signature|x-goog-credential|x-amz-signature|x-amz-credential|x-amz-security-token"
            + "|awsaccesskeyid)=[^&#\\s\"',;]*");
    /** OpenAI / Anthropic style keys ({@code sk-...}, {@code sk-proj-...}, {@code sk-ant-...}). */
    private static final Pattern SK_TOKEN = Pattern.compile("(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{6,}");
    /** Google API keys. */
    private static final Pattern GOOGLE_KEY = Pattern.compile("AIza[0-9A-Za-z_-]{20,}");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private Redaction() {
    }

    /**
     * The URL with scheme, host, port and path kept; user info, credential query values and the
     * fragment removed; any key-looking token replaced.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String u = url;
        int hash = u.indexOf('#');
        if (hash >= 0) {
            u = u.substring(0, hash);
        }
        int scheme = u.indexOf("://");
        int authorityStart = scheme < 0 ? 0 : scheme + 3;
        int authorityEnd = indexOfAny(u, authorityStart, "/?");
        int at = u.lastIndexOf('@', authorityEnd - 1);
        if (at >= authorityStart) {
            u = u.substring(0, authorityStart) + REDACTED + ":" + REDACTED + u.substring(at);
        }
        return text(u);
    }

    /** Free text (error messages, exception texts) with credential-looking parts replaced. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String t = SECRET_PARAM.matcher(text).replaceAll("$1=" + REDACTED);
        t = SK_TOKEN.matcher(t).replaceAll("sk-" + REDACTED);
        t = GOOGLE_KEY.matcher(t).replaceAll(REDACTED);
        return BEARER.matcher(t).replaceAll("$1" + REDACTED);
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
