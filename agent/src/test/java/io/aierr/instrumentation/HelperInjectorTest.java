package io.aierr.instrumentation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelperInjectorTest {
    /**
     * Every helper lands in the client's loader, supertypes included: a helper that extends another
     * defined later would get its supertype through the parent, from the agent's own loader.
     */
    @ParameterizedTest
    @CsvSource({
            "io.aierr.instrumentation.apache.hc4, Hc4Hook, ReplayedEntity",
            "io.aierr.instrumentation.apache.hc5, Hc5Hook, AsyncCall$Execution",
            "io.aierr.instrumentation.okhttp.okhttp3, OkHttp3Hook, EnqueuedCall$AttemptCallback"})
    void everyHelperIsDefinedInTheClientsLoader(String helperPackage, String entry, String nested) throws Exception {
        Set<String> helpers = HelperInjector.classesOf(helperPackage).keySet();
        assertTrue(helpers.contains(helperPackage + "." + nested), "nested classes too: " + helpers);
        ClientLoader client = new ClientLoader(getClass().getClassLoader());
        new HelperInjector((name, bytes, loader) -> client.define(name, bytes))
                .inject(helperPackage, client, helperPackage + "." + entry);
        for (String name : helpers) {
            Class<?> helper = Class.forName(name, false, client);
            assertSame(client, helper.getClassLoader(), name);
            Class<?> supertype = helper.getSuperclass();
            if (supertype != null && helpers.contains(supertype.getName())) {
                assertSame(client, supertype.getClassLoader(), name + " extends " + supertype.getName());
            }
        }
    }

    /** Parent first, as a Spring Boot jar's loader: it sees the agent through its parent. */
    private static final class ClientLoader extends ClassLoader {
        ClientLoader(ClassLoader parent) {
            super(parent);
        }

        void define(String name, byte[] bytes) {
            defineClass(name, bytes, 0, bytes.length);
        }
    }
}
