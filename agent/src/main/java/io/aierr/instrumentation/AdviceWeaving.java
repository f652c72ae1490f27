package io.aierr.instrumentation;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

/** Weaves one instrumentation's advice into a class file, keeping its shape for retransformation. */
final class AdviceWeaving {
    private AdviceWeaving() {
    }

    static byte[] weave(TypeInstrumentation ti, ClassLoader loader, byte[] classfile) {
        String name = ti.typeName();
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(name, classfile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypeDescription type = TypePool.Default.of(locator).describe(name).resolve();
        return new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .redefine(type, locator)
                .visit(ti.advice())
                .make()
                .getBytes();
    }
}
