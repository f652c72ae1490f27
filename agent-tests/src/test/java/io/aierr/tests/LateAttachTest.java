package io.aierr.tests;

import io.aierr.tests.apps.AttachCliApp;
import io.aierr.tests.apps.JdkClientApp;
import io.aierr.tests.apps.LateAttachApp;
import io.aierr.tests.support.AierrCommand;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings given after the jar ({@code -javaagent:aierr.jar=...}), and attaching to a running JVM:
 * by itself (Agent-Class, retransformation) and with {@code java -jar aierr.jar attach <pid> ...}.
 */
class LateAttachTest {
    @Test
    void attachingLaterRetriesCallsOfAnExistingClient() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                    .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = ForkedJvm.app(LateAttachApp.class, server.url("/api/predict/svc"),
                            ForkedJvm.agentJar().toString())
                    .withoutAgent()
                    .jvmArg("-Djdk.attach.allowAttachSelf=true")
                    // the JVM waits 10 s by default for its own attach listener, which a loaded machine may start later
                    .property("sun.tools.attach.attachTimeout", "120000")
                    .property("aierr.endpoints", server.authority() + "=pai-eas")
                    .property("aierr.retry.initial-backoff", "10ms")
                    .run();
            assertEquals("450", app.value("before.status"), app.toString());
            assertEquals("200", app.value("after.status"), app.toString());
            assertEquals(3, server.requestCount());
        }
    }

    /**
     * The service's own JVM runs {@code java -jar aierr.jar attach <its pid> ...} (see {@link AttachCliApp}):
     * a call before the attach is left alone; after it, the settings given to the attach apply (the
     * endpoint is known only from them, with a comma inside the value); a second attach says so in
     * one line, changes no setting and weaves nothing twice.
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(ints = {17, 25})
    void theAttachCommandAppliesItsSettingsOnceAndASecondAttachSaysSo(int jdk) throws Exception {
        Path javaHome = javaHome(jdk);
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)) // before: not an AI endpoint yet
                    .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)) // after: retried
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION))
                    .then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL)); // again: 450 for ever
            ForkedJvm.Result app = ForkedJvm.app(AttachCliApp.class, server.url("/api/predict/svc"),
                            ForkedJvm.agentJar().toString(),
                            "aierr.endpoints=" + server.authority() + "=pai-eas,llm.internal:8000=vllm",
                            "aierr.retry.initial-backoff=10ms", "aierr.retry.max-attempts=2")
                    .withoutAgent()
                    .javaHome(javaHome)
                    .run();
            assertEquals("450", app.value("before.status"), app.toString());
            assertEquals("0", app.value("attach1.exit"), app.toString());
            assertTrue(app.value("attach1.out").startsWith("aierr: attached to "), app.toString());
            assertTrue(app.stderr.contains("(2 from aierr.endpoints: " + server.authority()
                    + "=pai-eas, llm.internal:8000=vllm)"), app.toString());
            assertEquals("200", app.value("after.status"), app.toString());

            assertEquals("0", app.value("attach2.exit"), app.toString());
            assertTrue(app.value("attach2.out").startsWith("aierr: already running in "), app.toString());
            assertFalse(app.value("attach2.out").contains("|"), "one line\n" + app);
            assertEquals("", app.value("attach2.err"), app.toString());
            // max-attempts 2 from the first attach, not 1 from the second; hooks woven twice would send 4
            assertEquals("450", app.value("again.status"), app.toString());
            assertEquals(1 + 2 + 2, server.requestCount(), app.toString());
        }
    }

    private static Path javaHome(int jdk) {
        if (jdk == 17) {
            return Paths.get(System.getProperty("java.home"));
        }
        Assumptions.assumeTrue(ForkedJvm.jdk25().isPresent(), "no JDK 25 on this machine");
        return ForkedJvm.jdk25().get();
    }

    @Test
    void aPidWithNoJvmIsOneLineAndANonZeroExit() throws Exception {
        ForkedJvm.Result gone = AierrCommand.run("", "attach", "999999999");
        assertEquals(1, gone.exitCode, gone.toString());
        assertEquals("aierr: cannot attach to 999999999: no such process", gone.stderr.strip(), gone.toString());
        assertEquals("", gone.stdout, gone.toString());

        ForkedJvm.Result notAPid = AierrCommand.run("", "attach", "my-service");
        assertEquals(2, notAPid.exitCode, notAPid.toString());
        assertEquals(1, notAPid.stderr.strip().lines().count(), notAPid.toString());
        assertTrue(notAPid.stderr.startsWith("aierr: 'my-service' is not a pid; usage: java -jar aierr.jar attach <pid>"),
                notAPid.toString());

        ForkedJvm.Result missing = AierrCommand.run("", "attach");
        assertEquals(2, missing.exitCode, missing.toString());
        assertEquals(1, missing.stderr.strip().lines().count(), missing.toString());

        // a process that is no JVM is never signalled (attaching sends SIGQUIT, which would end it)
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            ForkedJvm.Result notJava = AierrCommand.run("", "attach", String.valueOf(sleeper.pid()));
            assertEquals(1, notJava.exitCode, notJava.toString());
            assertEquals(1, notJava.stderr.strip().lines().count(), notJava.toString());
            assertTrue(notJava.stderr.contains("not a Java process"), notJava.toString());
            assertTrue(sleeper.isAlive(), "the process lives on");
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void aBadSettingIsRefusedBeforeAttaching() throws Exception {
        String self = String.valueOf(ProcessHandle.current().pid());
        ForkedJvm.Result bad = AierrCommand.run("", "attach", self, "retry.max-attempts=3");
        assertEquals(2, bad.exitCode, bad.toString());
        assertEquals(1, bad.stderr.strip().lines().count(), bad.toString());
        assertTrue(bad.stderr.contains("'retry.max-attempts'"), bad.toString());
    }

    @Test
    void listShowsTheJvmsWithTheirPids() throws Exception {
        ForkedJvm.Result list = AierrCommand.run("", "list");
        assertEquals(0, list.exitCode, list.toString());
        // this test's own JVM is one of them; the listing JVM itself is not
        String self = String.valueOf(ProcessHandle.current().pid());
        assertTrue(list.stdout.lines().anyMatch(l -> l.startsWith(self + " ")), list.toString());
        assertTrue(list.stdout.lines().allMatch(l -> l.matches("\\d+ \\S+")), list.toString());
    }

    /** Commas inside a value: a comma starts the next setting only where a property name follows. */
    @Test
    void agentArgumentsSetPropertiesAndASystemPropertyWins() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL));
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url("/api/predict/svc"))
                    .agentArgs("aierr.endpoints=" + server.authority() + "=pai-eas,llm.internal:8000=vllm,"
                            + "aierr.retry.initial-backoff=10ms,aierr.retry.max-attempts=4,aierr.exporter=console")
                    .withoutProperty("aierr.exporter")
                    // the system property wins over the agent argument
                    .property("aierr.retry.max-attempts", "3")
                    .run();
            assertEquals("450", app.value("status"), app.toString());
            assertEquals(3, server.requestCount(), app.toString());
            assertTrue(app.stderr.contains("(2 from aierr.endpoints: " + server.authority()
                    + "=pai-eas, llm.internal:8000=vllm)"), app.toString());
            assertTrue(app.stderr.contains(" aierr call=1 pai-eas 450 queue_full "), "exporter=console\n" + app);
            assertFalse(app.stderr.contains("ignoring"), app.toString());
        }
    }

    /** With a ';' anywhere, pairs are split there only: a value may then hold ",otel.example:4000=...". */
    @Test
    void semicolonsSeparateAgentArgumentsWhoseValuesLookLikeNames() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url("/api/predict/svc"))
                    .agentArgs("aierr.endpoints=" + server.authority() + "=pai-eas,otel.example:4000=vllm;"
                            + "aierr.retry.initial-backoff=10ms")
                    .run();
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount(), app.toString());
            assertTrue(app.stderr.contains("(2 from aierr.endpoints: " + server.authority()
                    + "=pai-eas, otel.example:4000=vllm)"), app.toString());
            assertFalse(app.stderr.contains("ignoring"), app.toString());
        }
    }

    @Test
    void aBadAgentArgumentIsOneWarningAndTheAppRunsWithTheRest() throws Exception {
        try (ScriptedAiServer server = new ScriptedAiServer()) {
            server.then(Reply.status(450).text(Bodies.PAI_EAS_QUEUE_FULL))
                    .then(Reply.status(200).json(Bodies.CHAT_COMPLETION));
            ForkedJvm.Result app = ForkedJvm.app(JdkClientApp.class, "url=" + server.url("/api/predict/svc"))
                    .agentArgs("console,aierr.endpoints=" + server.authority() + "=pai-eas,aierr.retry.initial-backoff=10ms")
                    .run();
            assertEquals(0, app.exitCode, app.toString());
            assertEquals("200", app.value("status"), app.toString());
            assertEquals(2, server.requestCount(), app.toString());
            assertEquals(1, app.stderr.lines().filter(l -> l.contains("ignoring")).count(), app.toString());
            assertTrue(app.stderr.contains("aierr: ignoring agent argument 'console': expected name=value"),
                    app.toString());
        }
    }
}
