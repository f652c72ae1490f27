package io.aierr.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * Defines the {@code io.aierr.bootstrap} bridge classes in the platform class loader, where the
 * JDK's HTTP client lives and which every application loader delegates to. Appending a jar to the
 * bootstrap search path would do too, but it makes the JVM print a warning and turn off class
 * data sharing for application classes, costing every start.
 *
 * <p>Must run before anything references a bridge class, else the agent's own loader would
 * define a second copy from the agent jar.
 */
final class BridgeInjector {
    static final String[] BRIDGE_CLASSES = {
        "io.aierr.bootstrap.AierrHooks",
        "io.aierr.bootstrap.JdkHttpHook",
    };

    private BridgeInjector() {
    }

    static void inject(Instrumentation inst) throws ReflectiveOperationException, IOException {
        Module agentModule = BridgeInjector.class.getModule();
        // jdk.internal.misc.Unsafe is the one JDK entry point that defines a class in another
        // loader; it is opened to the agent only.
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("jdk.internal.misc", Set.of(agentModule)), Set.of(), Map.of());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (String name : BRIDGE_CLASSES) {
            byte[] bytes = classBytes(name);
            define.invoke(unsafe, name, bytes, 0, bytes.length, platform, null);
        }
        // woven JDK classes call the bridge, so their module must read the loader's unnamed module
        ModuleLayer.boot().findModule("java.net.http").ifPresent(module -> inst.redefineModule(module,
                Set.of(platform.getUnnamedModule()), Map.of(), Map.of(), Set.of(), Map.of()));
    }

    private static byte[] classBytes(String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = BridgeInjector.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("agent jar lacks " + resource);
            }
            return in.readAllBytes();
        }
    }
}
