package io.aierr.tests.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Several scripted servers, one per scenario, so that one forked JVM can play a whole scenario
 * table: the app gets one {@code call=name url} argument per server, aierr one endpoint entry each.
 */
public final class ScriptedServers implements AutoCloseable {
    private final Map<String, ScriptedAiServer> servers = new LinkedHashMap<>();
    private final Map<String, String> providers = new LinkedHashMap<>();
    private final String path;

    public ScriptedServers(String path) {
        this.path = path;
    }

    /** @param provider the provider aierr is told serves it, or null for a host that is no AI endpoint */
    public ScriptedServers add(String name, String provider, Consumer<ScriptedAiServer> script) throws IOException {
        ScriptedAiServer server = new ScriptedAiServer();
        servers.put(name, server);
        providers.put(name, provider);
        script.accept(server);
        return this;
    }

    public ScriptedAiServer get(String name) {
        return servers.get(name);
    }

    /** The value for {@code aierr.endpoints}. */
    public String endpoints() {
        List<String> entries = new ArrayList<>();
        servers.forEach((name, server) -> {
            if (providers.get(name) != null) {
                entries.add(server.authority() + "=" + providers.get(name));
            }
        });
        return String.join(",", entries);
    }

    /** App arguments: {@code call=name url}, in the order the scenarios were added. */
    public List<String> callArgs() {
        List<String> args = new ArrayList<>();
        servers.forEach((name, server) -> args.add("call=" + name + " " + server.url(path)));
        return args;
    }

    @Override
    public void close() {
        servers.values().forEach(ScriptedAiServer::close);
    }
}
