package io.aierr.cli;

import io.aierr.config.AierrConfig;
import io.aierr.config.Version;
import io.aierr.coordination.redis.FleetStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** {@code java -jar aierr.jar [classify|attach|list|status|version]}: the agent jar as a command-line tool. */
public final class AierrCli {
    private AierrCli() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "classify":
                System.exit(classify(out));
                break;
            case "attach":
                System.exit(new AttachCommand(out, System.err).attach(Arrays.copyOfRange(args, 1, args.length)));
                break;
            case "list":
                System.exit(new AttachCommand(out, System.err).list());
                break;
            case "status":
                System.exit(status(Arrays.copyOfRange(args, 1, args.length)));
                break;
            case "version":
            case "--version":
                out.println("aierr " + Version.get());
                break;
            case "help":
            case "--help":
            case "-h":
                usage(out);
                break;
            default:
                System.err.println("aierr: unknown command '" + command + "'");
                usage(System.err);
                System.exit(2);
        }
    }

    private static int classify(PrintStream out) {
        try {
            return new ClassifyCommand(out).run(System.in);
        } catch (IOException | RuntimeException e) {
            out.println(ClassifyCommand.errorJson("cannot read standard input: " + e.getMessage(), 0));
            return 1;
        }
    }

    /** {@code status [--coordination URL]}: the URL given, else {@code aierr.coordination} as the agent reads it. */
    private static int status(String[] args) {
        String url = args.length == 2 && args[0].equals("--coordination") ? args[1]
                : args.length == 0 ? AierrConfig.load().coordination : null;
        if (url == null || !url.toLowerCase(java.util.Locale.ROOT).startsWith("redis")) {
            System.err.println("aierr: usage: java -jar aierr.jar status --coordination redis://[user:password@]host:port[/db]"
                    + " (or set aierr.coordination / AIERR_COORDINATION)");
            return 2;
        }
        return FleetStatus.print(url, new PrintStream(System.out, true, StandardCharsets.UTF_8), System.err);
    }

    private static void usage(PrintStream out) {
        out.println("aierr " + Version.get() + ": classifies, retries and traces errors of AI endpoint calls");
        out.println();
        out.println("usage:");
        out.println("  java -javaagent:aierr.jar -jar app.jar       attach to an application");
        out.println("  java -jar aierr.jar classify < error.json    classify error responses read from stdin:");
        out.println("      one JSON object or JSON Lines, each {\"url\", \"method\", \"status\", \"headers\", \"body\"};");
        out.println("      one JSON answer per input on stdout");
        out.println("  java -jar aierr.jar attach <pid> [name=value ...]");
        out.println("                                               attach to a running JVM with these settings");
        out.println("  java -jar aierr.jar list                     list the running JVMs (pid, main class or jar)");
        out.println("  java -jar aierr.jar status --coordination redis://host:port");
        out.println("                                               what the fleet shares per endpoint (rate, hold, breaker)");
        out.println("  java -jar aierr.jar version                  print the version");
    }
}
