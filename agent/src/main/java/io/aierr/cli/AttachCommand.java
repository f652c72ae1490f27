package io.aierr.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.aierr.agent.AierrAgent;
import io.aierr.config.AgentArguments;

import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar aierr.jar attach <pid> [name=value ...]} and {@code java -jar aierr.jar list}:
 * loads this jar into a running JVM with the given settings, as {@code -javaagent:aierr.jar=...}
 * would have at its start. Every failure is one line on stderr and a non-zero exit.
 */
final class AttachCommand {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final String ATTACH_USAGE = "usage: java -jar aierr.jar attach <pid> [name=value ...]"
            + "   (java -jar aierr.jar list shows the pids)";

    private final PrintStream out;
    private final PrintStream err;

    AttachCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** @param args what follows {@code attach}: the pid, then settings */
    int attach(String[] args) {
        if (args.length == 0 || !args[0].matches("\\d{1,10}")) {
            err.println("aierr: " + (args.length == 0 ? "no pid given; " : "'" + args[0] + "' is not a pid; ")
                    + ATTACH_USAGE);
            return USAGE;
        }
        String pid = args[0];
        AgentArguments settings = AgentArguments.of(Arrays.copyOfRange(args, 1, args.length));
        if (!settings.warnings.isEmpty()) {
            err.println(settings.warnings.get(0).replace("ignoring agent argument", "not attached: bad setting"));
            return USAGE;
        }
        if (settings.values.values().stream().anyMatch(v -> v.indexOf(';') >= 0)) {
            err.println("aierr: not attached: a setting's value may not hold ';' (it separates the settings)");
            return USAGE;
        }
        try {
            return attach(pid, AgentArguments.join(settings.values), settings.values.keySet().toString());
        } catch (LinkageError e) {
            err.println("aierr: cannot attach: this Java runtime has no jdk.attach module (run the command with a"
                    + " JDK's java): " + e);
            return FAILED;
        }
    }

    private int attach(String pid, String agentArgs, String names) {
        String jar = ownJar();
        if (jar == null) {
            err.println("aierr: cannot attach: not run from aierr.jar (java -jar aierr.jar attach ...)");
            return FAILED;
        }
        if (!isListed(pid)) {
            // attaching signals the process (SIGQUIT on Linux), which ends a process that is no JVM
            boolean alive = ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
            err.println("aierr: cannot attach to " + pid + ": " + (alive
                    ? "not a Java process this user can attach to (java -jar aierr.jar list shows those)"
                    : "no such process"));
            return FAILED;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (Exception e) {
            err.println("aierr: cannot attach to " + pid + ": " + describe(e));
            return FAILED;
        }
        try {
            String running = vm.getSystemProperties().getProperty(AierrAgent.RUNNING_PROPERTY);
            if (running != null) {
                // loading the agent again would only print the same line there: say it here
                out.println("aierr: already running in " + pid + " (aierr " + running + "); not attached again,"
                        + " its settings stay as they are");
                return 0;
            }
            vm.loadAgent(jar, agentArgs.isEmpty() ? null : agentArgs);
            out.println("aierr: attached to " + pid + (agentArgs.isEmpty() ? "" : " with " + names)
                    + "; its stderr shows aierr's start line");
            return 0;
        } catch (Exception e) {
            err.println("aierr: cannot attach to " + pid + ": " + describe(e));
            return FAILED;
        } finally {
            try {
                vm.detach();
            } catch (Exception ignored) {
                // the JVM may be gone already
            }
        }
    }

    /** The Java processes this user can attach to, one line each: pid and main class or jar (never its arguments). */
    int list() {
        List<VirtualMachineDescriptor> vms;
        try {
            vms = VirtualMachine.list();
        } catch (LinkageError e) {
            err.println("aierr: cannot list: this Java runtime has no jdk.attach module (run the command with a"
                    + " JDK's java): " + e);
            return FAILED;
        }
        String self = String.valueOf(ProcessHandle.current().pid());
        int shown = 0;
        for (VirtualMachineDescriptor vm : vms) {
            if (vm.id().equals(self)) {
                continue;
            }
            String name = vm.displayName().trim();
            int space = name.indexOf(' ');
            out.println(vm.id() + " " + (name.isEmpty() ? "(no main class known)" : space < 0 ? name
                    : name.substring(0, space)));
            shown++;
        }
        if (shown == 0) {
            err.println("aierr: no Java process found that this user can attach to");
        }
        return 0;
    }

    private static boolean isListed(String pid) {
        return VirtualMachine.list().stream().anyMatch(vm -> vm.id().equals(pid));
    }

    private static String ownJar() {
        try {
            File file = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return file.isFile() ? file.getAbsolutePath() : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.replaceAll("\\s+", " ").trim());
    }
}
