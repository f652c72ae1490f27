package io.aierr.tests.support;

import java.nio.file.Paths;
import java.util.function.UnaryOperator;

/**
 * The client families an app's {@code client=} option names (see apps/ClientFamily), each with the
 * libraries its forked JVM needs on the class path.
 */
public enum ClientFamilies {
    JDK("jdk", jvm -> jvm),
    JDK_ASYNC("jdk-async", jvm -> jvm),
    OKHTTP("okhttp", ClientFamilies::okHttp4),
    OKHTTP_ASYNC("okhttp-async", ClientFamilies::okHttp4),
    HC4("hc4", jvm -> jvm.library("httpclient-4").library("httpcore-4").library("commons-logging")
            .library("commons-codec")),
    HC5("hc5", ClientFamilies::httpClient5),
    HC5_ASYNC("hc5-async", ClientFamilies::httpClient5);

    /** The app's {@code client=} value. */
    public final String option;
    private final UnaryOperator<ForkedJvm> libraries;

    ClientFamilies(String option, UnaryOperator<ForkedJvm> libraries) {
        this.option = option;
        this.libraries = libraries;
    }

    public static ClientFamilies named(String option) {
        for (ClientFamilies f : values()) {
            if (f.option.equals(option)) {
                return f;
            }
        }
        throw new IllegalArgumentException(option);
    }

    /** The JVM with this family's libraries on its class path. */
    public ForkedJvm onClassPath(ForkedJvm jvm) {
        return libraries.apply(jvm);
    }

    private static ForkedJvm okHttp4(ForkedJvm jvm) {
        return jvm.jarsIn(Paths.get(System.getProperty("okhttp.libs", "target/okhttp"), "4"));
    }

    private static ForkedJvm httpClient5(ForkedJvm jvm) {
        return jvm.library("httpclient5-").library("httpcore5-").library("slf4j-api");
    }
}
