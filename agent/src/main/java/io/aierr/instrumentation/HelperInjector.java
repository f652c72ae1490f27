package io.aierr.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Defines a package of helper classes from the agent jar in the class loader of the client they
 * serve. Helpers implement the client's own interfaces (an entity, a response consumer), so they
 * must live where the client's classes are visible, which in a Spring Boot jar or an app server is
 * a child of the system loader that holds the agent. From there they still see the agent's core
 * through the parent.
 *
 * <p>Every class of the package is defined before any is used, so helpers resolve one another in
 * that loader and never through the parent, which would load a second copy from the agent jar
 * that cannot see the client. Defining a class loads its supertypes at once, so a helper that
 * extends or implements another is defined after it.
 */
public final class HelperInjector {
    /** Defines one class in a given loader. */
    public interface Definer {
        void define(String name, byte[] bytes, ClassLoader loader) throws Exception;
    }

    private final Definer definer;
    /** Helper packages already defined, per loader; weak so that an undeployed app's loader can go. */
    private final Map<ClassLoader, Set<String>> defined = new WeakHashMap<>();

    public HelperInjector(Definer definer) {
        this.definer = definer;
    }

    /**
     * Defines every class of {@code helperPackage} in {@code loader}, once, then loads the named
     * entry class from there.
     */
    public synchronized Class<?> inject(String helperPackage, ClassLoader loader, String entryClass) throws Exception {
        Set<String> packages = defined.computeIfAbsent(loader, l -> new HashSet<>());
        if (!packages.contains(helperPackage)) {
            Map<String, byte[]> helpers = classesOf(helperPackage);
            for (String name : supertypesFirst(helpers)) {
                definer.define(name, helpers.get(name), loader);
            }
            packages.add(helperPackage);
        }
        Class<?> entry = Class.forName(entryClass, true, loader);
        if (entry.getClassLoader() != loader) {
            throw new IllegalStateException(entryClass + " was not defined in " + loader);
        }
        return entry;
    }

    /** The helpers' names, each after the helpers it extends or implements. */
    private static Collection<String> supertypesFirst(Map<String, byte[]> helpers) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : helpers.keySet()) {
            addAfterSupertypes(name, helpers, ordered);
        }
        return ordered;
    }

    private static void addAfterSupertypes(String name, Map<String, byte[]> helpers, Set<String> ordered) {
        if (!helpers.containsKey(name) || ordered.contains(name)) {
            return; // not a helper, or placed already
        }
        ClassReader helper = new ClassReader(helpers.get(name));
        List<String> supertypes = new ArrayList<>(List.of(helper.getInterfaces()));
        supertypes.add(helper.getSuperName());
        for (String supertype : supertypes) {
            addAfterSupertypes(supertype.replace('/', '.'), helpers, ordered);
        }
        ordered.add(name);
    }

    /** The class files directly in {@code helperPackage}, read from the agent jar (or classes folder). */
    static Map<String, byte[]> classesOf(String helperPackage) throws IOException, URISyntaxException {
        String folder = helperPackage.replace('.', '/') + '/';
        Path source = Paths.get(HelperInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> classes = new LinkedHashMap<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source.resolve(folder))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    addIfClass(classes, folder + file.getFileName(), Files.readAllBytes(file));
                }
            }
            return classes;
        }
        try (JarFile jar = new JarFile(source.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(folder) && name.indexOf('/', folder.length()) < 0) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        addIfClass(classes, name, in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }

    private static void addIfClass(Map<String, byte[]> classes, String path, byte[] bytes) {
        if (path.endsWith(".class")) {
            classes.put(path.substring(0, path.length() - ".class".length()).replace('/', '.'), bytes);
        }
    }
}
