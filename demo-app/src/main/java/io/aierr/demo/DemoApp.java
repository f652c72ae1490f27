package io.aierr.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;

/**
 * Starts the simulated AI endpoint, lets the app make one call per scenario and prints, per call,
 * what the app saw and how many requests the endpoint counted. Run it with and without
 * {@code -javaagent} to see the difference.
 *
 * <p>Usage: {@code java -jar demo-app.jar [--port N]} (default 18080): OpenAI on port N, Azure OpenAI
 * on N+1, PAI-EAS on N+2, Anthropic on N+3. A taken port ends the demo with one line and exit code 2
 * rather than moving to another port, since the agent was told which endpoint is which provider
 * ({@code -Daierr.endpoints=127.0.0.1:18080=openai,127.0.0.1:18081=azure-openai,...}).
 */
public final class DemoApp {
    static final int DEFAULT_PORT = 18080;
    private static final int EXIT_USAGE = 2;
    private static final int LABEL_WIDTH = 36;
    private static final int PREVIEW_CHARS = 80;

    private DemoApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = portFrom(args);
        SimulatedAiEndpoint endpoint;
        try {
            endpoint = SimulatedAiEndpoint.start(port);
        } catch (SimulatedAiEndpoint.PortTaken e) {
            exit("demo-app: port " + e.port + " is already in use; stop what holds it, or pick another with --port N"
                    + " (the demo uses N to N+" + (ChatApi.values().length - 1) + "; name them in -Daierr.endpoints="
                    + ChatApi.endpointsOnPortN(SimulatedAiEndpoint.HOST) + ")");
            return;
        } catch (IOException e) {
            exit("demo-app: cannot start the simulated endpoint on port " + port + ": " + e);
            return;
        }
        boolean allAnswered = true;
        try (endpoint) {
            StringBuilder providers = new StringBuilder();
            for (ChatApi api : ChatApi.values()) {
                providers.append(providers.length() == 0 ? "" : ", ").append(api.provider).append(" on :")
                        .append(api.port(port));
            }
            System.out.println("Simulated AI endpoints on http://" + SimulatedAiEndpoint.HOST + " (" + providers
                    + "), " + Scenario.values().length + " scenarios, one app call each:");
            ChatClient app = new ChatClient();
            for (Scenario scenario : Scenario.values()) {
                allAnswered &= runOne(app, endpoint, scenario);
            }
        }
        printHint(port);
        if (!allAnswered) {
            System.exit(1);
        }
    }

    /** Makes the scenario's call and prints its line; false when the call ended without a response. */
    private static boolean runOne(ChatClient app, SimulatedAiEndpoint endpoint, Scenario scenario)
            throws InterruptedException {
        String label = String.format("%-" + LABEL_WIDTH + "s", scenario.label);
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = app.chat(endpoint.baseUri(scenario), scenario.api);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println(label + "app saw " + response.statusCode() + " after " + hits(endpoint.hits(scenario))
                    + " in " + millis + " ms  " + preview(response.body()));
            return true;
        } catch (IOException e) {
            System.out.println(label + "app got " + e + " after " + hits(endpoint.hits(scenario)));
            return false;
        }
    }

    private static String hits(int n) {
        return n + (n == 1 ? " server hit" : " server hits");
    }

    /** The body's start on one line. */
    private static String preview(String body) {
        String flat = body.strip().replaceAll("\\s+", " ");
        return flat.length() <= PREVIEW_CHARS ? flat : flat.substring(0, PREVIEW_CHARS) + "...";
    }

    private static void printHint(int port) {
        String portArg = port == DEFAULT_PORT ? "" : " --port " + port;
        String jar = "-jar demo-app/target/demo-app.jar" + portArg;
        boolean withAgent = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        System.out.println();
        if (withAgent) {
            System.out.println("Ran with -javaagent. Run it again without, to see what the app gets on its own:");
            System.out.println("  java " + jar);
        } else {
            System.out.println("Ran without an agent: every error reached the app as first sent. Run it with aierr:");
            System.out.println("  java -javaagent:agent/target/aierr.jar -Daierr.endpoints="
                    + ChatApi.endpoints(SimulatedAiEndpoint.HOST, port) + " -Daierr.exporter=console " + jar);
        }
    }

    private static int portFrom(String[] args) {
        if (args.length == 0) {
            return DEFAULT_PORT;
        }
        if (args.length == 2 && args[0].equals("--port")) {
            try {
                int port = Integer.parseInt(args[1]);
                if (port > 0 && port < 65536) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the usage line
            }
        }
        exit("usage: java -jar demo-app.jar [--port N]   (default " + DEFAULT_PORT + ")");
        return -1;
    }

    private static void exit(String line) {
        System.err.println(line);
        System.exit(EXIT_USAGE);
    }
}
