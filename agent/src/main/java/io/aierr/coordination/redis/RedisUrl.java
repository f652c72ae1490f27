package io.aierr.coordination.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Where the fleet's Redis is: {@code redis://[user:password@]host:port[/db]}, {@code rediss://} for TLS. */
final class RedisUrl {
    private static final int DEFAULT_PORT = 6379;

    final boolean tls;
    final String host;
    final int port;
    /** Null for the default user. */
    final String user;
    /** Null when Redis asks for none. Never printed. */
    final String password;
    final int database;

    private RedisUrl(boolean tls, String host, int port, String user, String password, int database) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    /** @throws IllegalArgumentException saying what is wrong, without the password */
    static RedisUrl parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("the scheme must be redis or rediss");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host:port");
        }
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = colon < 0 ? null : decode(info.substring(0, colon));
            password = decode(colon < 0 ? info : info.substring(colon + 1));
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the path must be a database number like /0");
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("no query or fragment expected");
        }
        return new RedisUrl(scheme.equals("rediss"), uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(),
                user, password, database);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** How it is printed: host and port, never the credentials. */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + host + ':' + port + (database == 0 ? "" : "/" + database);
    }
}
