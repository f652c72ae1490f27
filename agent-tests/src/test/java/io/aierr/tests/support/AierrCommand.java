package io.aierr.tests.support;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Runs the agent jar as a command-line tool, {@code java -jar aierr.jar <args>}, feeding it standard input. */
public final class AierrCommand {
    private AierrCommand() {
    }

    public static ForkedJvm.Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(ForkedJvm.agentJar().toString());
        command.addAll(List.of(args));
        return ForkedJvm.execute(command, stdin, ForkedJvm.TIMEOUT_SECONDS);
    }
}
