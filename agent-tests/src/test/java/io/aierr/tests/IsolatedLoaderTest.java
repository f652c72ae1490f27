package io.aierr.tests;

import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.apps.IsolatedLoaderLauncher;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * HttpClient in a class loader the agent's cannot see into, as in a Spring Boot jar or an app
 * server: aierr's helpers are defined next to the client and the call is retried all the same.
 */
class IsolatedLoaderTest {
    @ParameterizedTest
    @ValueSource(classes = {Hc5ClassicApp.class, Hc5AsyncApp.class})
    void aClientInAChildLoaderIsRetried(Class<?> app) throws Exception {
        Played played = playIsolated(app, jvm -> jvm);
        assertEquals("child", played.app.value("loader.app"), played.toString());
        assertEquals("false", played.app.value("loader.system-sees-client"));
        assertEquals("200", played.value("rate_limited", "status"), played.toString());
        assertEquals(2, played.requests("rate_limited").size());
        assertFalse(played.app.stderr.contains("unobserved"), played.app.stderr);
    }

    /** Defining helpers next to the client must not make JDK 25 print warnings into the app's output. */
    @Test
    void worksOnJdk25() throws Exception {
        Optional<Path> jdk25 = ForkedJvm.jdk25();
        Assumptions.assumeTrue(jdk25.isPresent(), "no JDK 25 on this machine");
        Played played = playIsolated(Hc5ClassicApp.class, jvm -> jvm.javaHome(jdk25.get()));
        assertEquals("200", played.value("rate_limited", "status"), played.toString());
        assertEquals(2, played.requests("rate_limited").size());
        assertFalse(played.app.stderr.contains("WARNING"), played.app.stderr);
    }

    private static Played playIsolated(Class<?> app, UnaryOperator<ForkedJvm> setup) throws Exception {
        String clientJars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> {
                    String name = Paths.get(e).getFileName().toString();
                    return name.startsWith("httpclient5-") || name.startsWith("httpcore5-") || name.startsWith("slf4j-api");
                })
                .collect(Collectors.joining(File.pathSeparator));
        return new ScenarioTable(ApacheClientScenarios.PATH)
                .scenario("rate_limited", Hc5ClassicClientTest.RATE_LIMITED_ONCE)
                .play(IsolatedLoaderLauncher.class, jvm -> setup.apply(jvm
                        .property("launcher.app", app.getName())
                        .property("launcher.jars", clientJars)));
    }
}
