package io.aierr.tests;

import io.aierr.tests.apps.LateAttachApp;
import io.aierr.tests.support.Bodies;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScriptedAiServer;
import io.aierr.tests.support.ScriptedAiServer.Reply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Attaching to a running JVM weaves the already loaded JDK client (Agent-Class, retransformation). */
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
}
