package io.aierr.tests.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A table of scenarios that one forked JVM plays in a row, each against its own freshly scripted
 * server: the app gets one {@code call=name url [option ...]} argument per scenario and prints
 * {@code name.key=value} lines. Playing the same table with and without the agent shows what
 * aierr changes, for the price of two JVM starts. Each call is told its server's
 * {@link ScriptedAiServer#signals() signals} folder.
 */
public final class ScenarioTable {
    private final String path;
    private final String provider;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    public ScenarioTable(String path) {
        this(path, "openai");
    }

    /** Scenarios whose servers aierr is told are endpoints of this provider (e.g. {@code anthropic}). */
    public ScenarioTable(String path, String provider) {
        this.path = path;
        this.provider = provider;
    }

    private record Row(Consumer<ScriptedAiServer> script, String provider, List<String> options) {
    }

    /** A call to a server that aierr is told is an endpoint of the table's provider (OpenAI unless given). */
    public ScenarioTable scenario(String name, Consumer<ScriptedAiServer> script, String... callOptions) {
        rows.put(name, new Row(script, provider, List.of(callOptions)));
        return this;
    }

    /** A call to a server that is no AI endpoint. */
    public ScenarioTable otherHost(String name, Consumer<ScriptedAiServer> script, String... callOptions) {
        rows.put(name, new Row(script, null, List.of(callOptions)));
        return this;
    }

    /** Runs the app once over every scenario; {@code setup} adds the agent (or not), libraries, properties. */
    public Played play(Class<?> app, UnaryOperator<ForkedJvm> setup) throws Exception {
        Map<String, ScriptedAiServer> servers = new LinkedHashMap<>();
        try {
            List<String> args = new ArrayList<>();
            List<String> endpoints = new ArrayList<>();
            for (Map.Entry<String, Row> row : rows.entrySet()) {
                ScriptedAiServer server = new ScriptedAiServer();
                servers.put(row.getKey(), server);
                row.getValue().script.accept(server);
                List<String> options = new ArrayList<>(row.getValue().options);
                options.add("signals=" + server.signals());
                args.add("call=" + String.join(" ", join(row.getKey(), server.url(path), options)));
                if (row.getValue().provider != null) {
                    endpoints.add(server.authority() + "=" + row.getValue().provider);
                }
            }
            ForkedJvm jvm = ForkedJvm.app(app, args.toArray(new String[0]))
                    .property("aierr.endpoints", String.join(",", endpoints));
            ForkedJvm.Result result = setup.apply(jvm).run();
            Map<String, List<ScriptedAiServer.Recorded>> requests = new LinkedHashMap<>();
            servers.forEach((name, server) -> requests.put(name, server.requests()));
            return new Played(result, requests);
        } finally {
            servers.values().forEach(ScriptedAiServer::close);
        }
    }

    private static List<String> join(String name, String url, List<String> options) {
        List<String> all = new ArrayList<>(List.of(name, url));
        all.addAll(options);
        return all;
    }

    /** What the app printed for each scenario and what each server received. */
    public static final class Played {
        public final ForkedJvm.Result app;
        private final Map<String, List<ScriptedAiServer.Recorded>> requests;

        Played(ForkedJvm.Result app, Map<String, List<ScriptedAiServer.Recorded>> requests) {
            this.app = app;
            this.requests = requests;
        }

        public String value(String scenario, String key) {
            return app.value(scenario + "." + key);
        }

        public List<ScriptedAiServer.Recorded> requests(String scenario) {
            return requests.get(scenario);
        }

        @Override
        public String toString() {
            return app.toString();
        }
    }
}
