package io.aierr.instrumentation;

import io.aierr.bootstrap.AierrHooks;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * A class file transformer that compares each loaded class's name with a handful of exact names
 * and weaves only those (see {@link HookWeaving}). Byte Buddy's {@code AgentBuilder} would describe
 * every class the JVM loads and pull in about a thousand of its own classes at premain; exact names
 * keep an attached JVM close to the speed of a plain one.
 */
public final class LazyWeaver implements ClassFileTransformer {
    private final Map<String, TypeInstrumentation> byInternalName = new HashMap<>();
    private final Consumer<String> warn;
    /** Per loader, whether it sees the bridge: weak, so that an undeployed app's loader can go. */
    private final Map<ClassLoader, Boolean> bridgeVisible = Collections.synchronizedMap(new WeakHashMap<>());

    public LazyWeaver(List<TypeInstrumentation> instrumentations, Consumer<String> warn) {
        for (TypeInstrumentation ti : instrumentations) {
            byInternalName.put(ti.typeName().replace('.', '/'), ti);
        }
        this.warn = warn;
    }

    /** Registers the transformer and weaves the instrumented classes that are already loaded. */
    public void install(Instrumentation inst) {
        inst.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (byInternalName.containsKey(c.getName().replace('.', '/'))) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                warn.accept("cannot instrument already loaded " + c.getName() + ": " + e);
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classfile) {
        TypeInstrumentation ti = className == null ? null : byInternalName.get(className);
        if (ti == null || !seesBridge(loader)) {
            return null;
        }
        try {
            return HookWeaving.weave(ti, classfile);
        } catch (Throwable t) {
            // a failed weave leaves the class as it was: the app runs, uninstrumented
            warn.accept("cannot instrument " + ti.typeName() + ": " + t);
            return null;
        }
    }

    /**
     * Whether classes of {@code loader} can call the bridge the woven code calls. Not every copy of
     * a client can: the OpenTelemetry agent's own OkHttp lives in a loader whose parent is the boot
     * loader, which does not see the bridge, and woven there every call would fail to link.
     */
    private boolean seesBridge(ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        Boolean sees = bridgeVisible.get(loader);
        if (sees == null) {
            try {
                sees = Class.forName(AierrHooks.class.getName(), false, loader) == AierrHooks.class;
            } catch (ClassNotFoundException | LinkageError e) {
                sees = false;
            }
            bridgeVisible.put(loader, sees);
        }
        return sees;
    }
}
