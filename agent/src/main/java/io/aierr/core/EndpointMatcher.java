package io.aierr.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Decides whether a URL is an AI endpoint and which provider serves it. Built once from the known
 * hosts and {@code aierr.endpoints}; user entries win over the built-in ones.
 */
public final class EndpointMatcher {
    /** Hosts seen so far (bounded): most apps talk to a handful, so matching is one map lookup. */
    private static final int CACHE_LIMIT = 4096;
    private static final String NOT_AI = "";
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final List<Rule> rules;
    /** host:port of the OTLP collectors (one per signal at most): the agent's own exports are never AI calls. */
    private final Set<String> excludedAuthorities;

    private EndpointMatcher(List<Rule> rules, Set<String> excludedAuthorities) {
        this.rules = rules;
        this.excludedAuthorities = excludedAuthorities;
    }

    /**
     * @param userEntries parsed {@code aierr.endpoints} entries: {@code host[:port][=provider]}
     * @param collector   the OTLP endpoint URL, or null
     */
    public static EndpointMatcher create(List<String> userEntries, String collector) {
        return withCollectors(userEntries, collector == null ? List.of() : List.of(collector));
    }

    /**
     * @param userEntries parsed {@code aierr.endpoints} entries: {@code host[:port][=provider]}
     * @param collectors  the OTLP endpoint URLs (general and per signal); none when aierr exports no OTLP
     */
    public static EndpointMatcher withCollectors(List<String> userEntries, Collection<String> collectors) {
        List<Rule> rules = new ArrayList<>();
        for (String entry : userEntries) {
            rules.add(Rule.parse(entry));
        }
        for (Map.Entry<String, String> known : Providers.KNOWN_HOSTS.entrySet()) {
            rules.add(new Rule(known.getKey(), -1, known.getValue()));
        }
        Set<String> excluded = new HashSet<>();
        for (String collector : collectors) {
            try {
                URI uri = URI.create(collector.trim());
                if (uri.getHost() != null) {
                    excluded.add(authority(uri.getHost(), effectivePort(uri)));
                }
            } catch (IllegalArgumentException ignored) {
                // the SDK's configuration reports a bad collector URL
            }
        }
        return new EndpointMatcher(rules, excluded);
    }

    /** Validates one {@code aierr.endpoints} entry; returns an error text or null. */
    public static String validate(String entry) {
        try {
            Rule.parse(entry);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The provider id for this URI, or null when it is not an AI endpoint. */
    public String providerFor(URI uri) {
        if (uri == null) {
            return null;
        }
        String host = uri.getHost();
        if (host == null) {
            return null;
        }
        return providerFor(host, effectivePort(uri));
    }

    public String providerFor(String host, int port) {
        String key = host + ':' + port;
        String cached = cache.get(key);
        if (cached == null) {
            cached = match(host, port);
            if (cache.size() < CACHE_LIMIT) {
                cache.put(key, cached);
            }
        }
        return cached.isEmpty() ? null : cached;
    }

    /** Whether this URI is the OTLP collector's, where the agent's own exports go. */
    public boolean isCollector(URI uri) {
        return !excludedAuthorities.isEmpty() && uri != null && uri.getHost() != null
                && excludedAuthorities.contains(authority(uri.getHost(), effectivePort(uri)));
    }

    private String match(String host, int port) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[") && lower.endsWith("]")) {
            lower = lower.substring(1, lower.length() - 1);
        }
        if (excludedAuthorities.contains(authority(lower, port))) {
            return NOT_AI;
        }
        for (Rule rule : rules) {
            if (rule.matches(lower, port)) {
                return rule.provider;
            }
        }
        return NOT_AI;
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    private static String authority(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            h = "127.0.0.1";
        }
        return h + ":" + port;
    }

    private static final class Rule {
        final Pattern host;
        final int port;
        final String provider;

        Rule(String hostGlob, int port, String provider) {
            StringBuilder regex = new StringBuilder();
            for (String part : hostGlob.toLowerCase(Locale.ROOT).split("\\*", -1)) {
                if (regex.length() > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part));
            }
            this.host = Pattern.compile(regex.toString());
            this.port = port;
            this.provider = provider;
        }

        static Rule parse(String entry) {
            String text = entry.trim();
            String provider = "custom";
            int eq = text.indexOf('=');
            if (eq >= 0) {
                provider = text.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
                text = text.substring(0, eq).trim();
                if (!provider.matches("[a-z0-9][a-z0-9._-]*")) {
                    throw new IllegalArgumentException("bad provider name '" + provider + "' in '" + entry + "'");
                }
            }
            int port = -1;
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(']') < colon) {
                try {
                    port = Integer.parseInt(text.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad port in '" + entry + "'");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range in '" + entry + "'");
                }
                text = text.substring(0, colon);
            }
            if (text.startsWith("[") && text.endsWith("]")) {
                text = text.substring(1, text.length() - 1);
            }
            if (text.isEmpty() || !text.matches("[A-Za-z0-9*.:_-]+")) {
                throw new IllegalArgumentException("bad host in '" + entry + "' (expected host[:port][=provider])");
            }
            return new Rule(text, port, provider);
        }

        boolean matches(String host, int port) {
            return (this.port == -1 || this.port == port) && this.host.matcher(host).matches();
        }
    }
}
