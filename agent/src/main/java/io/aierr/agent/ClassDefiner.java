package io.aierr.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * Defines classes of the agent jar in a class loader other than the agent's own.
 * {@code jdk.internal.misc.Unsafe} is the one JDK entry point that does that for any loader;
 * java.base opens it to the agent only. Byte Buddy's injectors would do too, but on JDK 25 its
 * {@code sun.misc.Unsafe} path prints a warning into the app's output.
 */
final class ClassDefiner {
    private final Object unsafe;
    private final Method define;

    private ClassDefiner(Object unsafe, Method define) {
        this.unsafe = unsafe;
        this.define = define;
    }

    static ClassDefiner open(Instrumentation inst) throws ReflectiveOperationException {
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("jdk.internal.misc", Set.of(ClassDefiner.class.getModule())), Set.of(), Map.of());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        return new ClassDefiner(unsafeClass.getMethod("getUnsafe").invoke(null),
                unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                        ClassLoader.class, ProtectionDomain.class));
    }

    void define(String name, byte[] bytes, ClassLoader loader) throws ReflectiveOperationException {
        try {
            define.invoke(unsafe, name, bytes, 0, bytes.length, loader, null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Error) {
                // a LinkageError (duplicate, unresolvable supertype) is the interesting part
                throw (Error) e.getCause();
            }
            throw e;
        }
    }

    /** The class file of one of the agent's own classes. */
    static byte[] classBytes(String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = ClassDefiner.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("agent jar lacks " + resource);
            }
            return in.readAllBytes();
        }
    }
}
