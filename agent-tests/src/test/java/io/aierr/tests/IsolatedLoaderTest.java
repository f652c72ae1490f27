package io.aierr.tests;

import io.aierr.tests.OkHttpClientTest.OkHttp;
import io.aierr.tests.apps.Hc5AsyncApp;
import io.aierr.tests.apps.Hc5ClassicApp;
import io.aierr.tests.apps.IsolatedLoaderLauncher;
import io.aierr.tests.apps.OkHttpClientApp;
import io.aierr.tests.support.ForkedJvm;
import io.aierr.tests.support.ScenarioTable;
import io.aierr.tests.support.ScenarioTable.Played;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * HttpClient 5 and OkHttp in a class loader the agent's cannot see into, as in a Spring Boot jar or
 * an app server: aierr's helpers are defined next to the client and the call is retried all the same.
 */
class IsolatedLoaderTest {
    @ParameterizedTest
    @ValueSource(classes = {Hc5ClassicApp.class, Hc5AsyncApp.class})
    void aClientInAChildLoaderIsRetried(Class<?> app) throws Exception {
        assertRetriedInTheChildLoader(playIsolated(app, httpClient5Jars(), jvm -> jvm));
    }

    /** OkHttp's helpers are compiled against 4.12 and defined next to each major's own classes. */
    @ParameterizedTest(name = "OkHttp {0}")
    @EnumSource(OkHttp.class)
    void anOkHttpClientInAChildLoaderIsRetried(OkHttp version) throws Exception {
        String jars;
        try (Stream<Path> files = Files.list(version.jars())) {
            jars = files.map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        }
        assertRetriedInTheChildLoader(playIsolated(OkHttpClientApp.class, jars, jvm -> jvm.arg("mode=execute")));
    }

    private static void assertRetriedInTheChildLoader(Played played) {
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
        Played played = playIsolated(Hc5ClassicApp.class, httpClient5Jars(), jvm -> jvm.javaHome(jdk25.get()));
        assertEquals("200", played.value("rate_limited", "status"), played.toString());
        assertEquals(2, played.requests("rate_limited").size());
        assertFalse(played.app.stderr.contains("WARNING"), played.app.stderr);
    }

    private static String httpClient5Jars() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> {
                    String name = Paths.get(e).getFileName().toString();
                    return name.startsWith("httpclient5-") || name.startsWith("httpcore5-") || name.startsWith("slf4j-api");
                })
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Played playIsolated(Class<?> app, String clientJars, UnaryOperator<ForkedJvm> setup)
            throws Exception {
        return new ScenarioTable(ApacheClientScenarios.PATH)
                .scenario("rate_limited", Hc5ClassicClientTest.RATE_LIMITED_ONCE)
                .play(IsolatedLoaderLauncher.class, jvm -> setup.apply(jvm
                        .property("launcher.app", app.getName())
                        .property("launcher.jars", clientJars)));
    }
}
