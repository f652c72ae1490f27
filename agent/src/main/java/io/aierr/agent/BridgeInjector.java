package io.aierr.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
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
        "io.aierr.bootstrap.ApacheHttpHook",
        "io.aierr.bootstrap.OkHttpHook",
    };

    private BridgeInjector() {
    }

    /** Whether another copy of aierr (another class loader) defined the bridge already. */
    static boolean alreadyInjected() {
        try {
            Class.forName(BRIDGE_CLASSES[0], false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static void inject(Instrumentation inst) throws ReflectiveOperationException, IOException {
        ClassDefiner definer = ClassDefiner.open(inst);
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (String name : BRIDGE_CLASSES) {
            definer.define(name, ClassDefiner.classBytes(name), platform);
        }
        // woven JDK classes call the bridge, so their module must read the loader's unnamed module
        ModuleLayer.boot().findModule("java.net.http").ifPresent(module -> inst.redefineModule(module,
                Set.of(platform.getUnnamedModule()), Map.of(), Map.of(), Set.of(), Map.of()));
    }
}
