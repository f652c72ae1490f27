package io.aierr.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Weaves a class's {@link MethodHook}s: a few instructions at a method's entry or returns that call
 * one static bridge method and act on its answer. Written with the ASM that Byte Buddy bundles
 * rather than with Byte Buddy's {@code Advice}: weaving the JDK client's facade with {@code Advice}
 * loaded about 830 Byte Buddy classes into every JVM that merely created an {@code HttpClient}, and
 * these hooks need nothing of its power. The woven code only adds instructions (no field, no
 * method), so the class keeps its shape for retransformation. Frames are written by hand: the only
 * branch targets are in the prologue, where the locals are the method's parameters.
 */
final class HookWeaving {
    private static final String BRIDGE = "io/aierr/bootstrap/AierrHooks";
    private static final String OBJECT = "java/lang/Object";

    private HookWeaving() {
    }

    /** The class file with its hooks woven in; throws when a hooked method does not fit its hook. */
    static byte[] weave(TypeInstrumentation ti, byte[] classfile) {
        int version = ((classfile[6] & 0xff) << 8) | (classfile[7] & 0xff);
        byte[] readable = classfile;
        if (version > Opcodes.V26) {
            // a newer JDK's class file: read it as the newest format this ASM knows (what Byte Buddy
            // does in its experimental mode), and write it back with its own version
            readable = classfile.clone();
            readable[6] = (byte) (Opcodes.V26 >>> 8);
            readable[7] = (byte) Opcodes.V26;
        }
        ClassReader reader = new ClassReader(readable);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        reader.accept(new HookedClass(writer, ti.hooks(), version), ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    private static final class HookedClass extends ClassVisitor {
        private final List<MethodHook> hooks;
        private final int version;
        private String owner;

        HookedClass(ClassVisitor next, List<MethodHook> hooks, int version) {
            super(Opcodes.ASM9, next);
            this.hooks = hooks;
            this.version = version;
        }

        @Override
        public void visit(int ignoredVersion, int access, String name, String signature, String superName,
                          String[] interfaces) {
            owner = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return next;
            }
            Type[] parameters = Type.getArgumentTypes(descriptor);
            for (MethodHook hook : hooks) {
                if (hook.method.equals(name) && hook.parameters == parameters.length
                        && (hook.firstParameter == null || parameters.length > 0
                        && hook.firstParameter.equals(parameters[0].getClassName()))) {
                    return new HookedMethod(next, hook, owner, name, descriptor, parameters);
                }
            }
            return next;
        }
    }

    private static final class HookedMethod extends MethodVisitor {
        private final MethodHook hook;
        private final Type returnType;
        private final Type[] parameters;
        /** The locals at entry, as a frame names them: {@code this}, then each parameter. */
        private final Object[] entryLocals;

        HookedMethod(MethodVisitor next, MethodHook hook, String owner, String name, String descriptor,
                     Type[] parameters) {
            super(Opcodes.ASM9, next);
            this.hook = hook;
            this.returnType = Type.getReturnType(descriptor);
            this.parameters = parameters;
            this.entryLocals = entryLocals(owner, parameters);
            boolean returnsReference = returnType.getSort() == Type.OBJECT || returnType.getSort() == Type.ARRAY;
            boolean fits;
            switch (hook.kind) {
                case OUTCOME:
                case REPLACEMENT:
                    fits = returnsReference;
                    break;
                case FIRST_ARGUMENT:
                    fits = returnType.getSort() == Type.VOID && parameters.length > 0
                            && parameters[0].getSort() == Type.OBJECT;
                    break;
                default:
                    fits = true;
            }
            if (!fits) {
                throw new IllegalStateException(owner + "." + name + descriptor + " does not fit a " + hook.kind + " hook");
            }
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (hook.kind == MethodHook.Kind.ON_RETURN) {
                return;
            }
            callBridge();
            Label proceed = new Label();
            switch (hook.kind) {
                case OUTCOME: {
                    Label returned = new Label();
                    mv.visitInsn(Opcodes.DUP);
                    mv.visitJumpInsn(Opcodes.IFNULL, proceed);
                    mv.visitInsn(Opcodes.DUP);
                    mv.visitInsn(Opcodes.ICONST_1);
                    mv.visitInsn(Opcodes.AALOAD);
                    mv.visitInsn(Opcodes.DUP);
                    mv.visitJumpInsn(Opcodes.IFNULL, returned);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, "java/lang/Throwable");
                    mv.visitInsn(Opcodes.ATHROW);
                    mv.visitLabel(returned);
                    frame("[Ljava/lang/Object;", OBJECT);
                    mv.visitInsn(Opcodes.POP);
                    mv.visitInsn(Opcodes.ICONST_0);
                    mv.visitInsn(Opcodes.AALOAD);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, returnType.getInternalName());
                    mv.visitInsn(Opcodes.ARETURN);
                    mv.visitLabel(proceed);
                    frame("[Ljava/lang/Object;");
                    mv.visitInsn(Opcodes.POP);
                    break;
                }
                case REPLACEMENT:
                    mv.visitInsn(Opcodes.DUP);
                    mv.visitJumpInsn(Opcodes.IFNULL, proceed);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, returnType.getInternalName());
                    mv.visitInsn(Opcodes.ARETURN);
                    mv.visitLabel(proceed);
                    frame(OBJECT);
                    mv.visitInsn(Opcodes.POP);
                    break;
                case FIRST_ARGUMENT:
                    mv.visitInsn(Opcodes.DUP);
                    mv.visitJumpInsn(Opcodes.IFNONNULL, proceed);
                    mv.visitInsn(Opcodes.POP);
                    mv.visitInsn(Opcodes.RETURN);
                    mv.visitLabel(proceed);
                    frame(OBJECT);
                    mv.visitTypeInsn(Opcodes.CHECKCAST, parameters[0].getInternalName());
                    mv.visitVarInsn(Opcodes.ASTORE, 1);
                    break;
                case SKIP:
                    mv.visitJumpInsn(Opcodes.IFEQ, proceed);
                    returnDefault();
                    mv.visitLabel(proceed);
                    frame();
                    break;
                default: // ON_ENTRY: nothing to act on
                    return;
            }
            // the method's own first instruction may carry a frame too: keep the two apart
            mv.visitInsn(Opcodes.NOP);
        }

        @Override
        public void visitInsn(int opcode) {
            if (hook.kind == MethodHook.Kind.ON_RETURN && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                callBridge();
            }
            super.visitInsn(opcode);
        }

        /** {@code AierrHooks.<bridge>(this, reference parameters...)}. */
        private void callBridge() {
            StringBuilder descriptor = new StringBuilder("(Ljava/lang/Object;");
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            int slot = 1;
            for (Type parameter : parameters) {
                if (parameter.getSort() == Type.OBJECT || parameter.getSort() == Type.ARRAY) {
                    mv.visitVarInsn(Opcodes.ALOAD, slot);
                    descriptor.append("Ljava/lang/Object;");
                }
                slot += parameter.getSize();
            }
            descriptor.append(')').append(hook.kind.bridgeReturn);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, hook.bridge, descriptor.toString(), false);
        }

        private void returnDefault() {
            switch (returnType.getSort()) {
                case Type.VOID:
                    mv.visitInsn(Opcodes.RETURN);
                    break;
                case Type.LONG:
                    mv.visitInsn(Opcodes.LCONST_0);
                    mv.visitInsn(Opcodes.LRETURN);
                    break;
                case Type.FLOAT:
                    mv.visitInsn(Opcodes.FCONST_0);
                    mv.visitInsn(Opcodes.FRETURN);
                    break;
                case Type.DOUBLE:
                    mv.visitInsn(Opcodes.DCONST_0);
                    mv.visitInsn(Opcodes.DRETURN);
                    break;
                case Type.OBJECT:
                case Type.ARRAY:
                    mv.visitInsn(Opcodes.ACONST_NULL);
                    mv.visitInsn(Opcodes.ARETURN);
                    break;
                default:
                    mv.visitInsn(Opcodes.ICONST_0);
                    mv.visitInsn(Opcodes.IRETURN);
            }
        }

        private void frame(Object... stack) {
            mv.visitFrame(Opcodes.F_NEW, entryLocals.length, entryLocals, stack.length, stack);
        }

        private static Object[] entryLocals(String owner, Type[] parameters) {
            List<Object> locals = new ArrayList<>(parameters.length + 1);
            locals.add(owner);
            for (Type parameter : parameters) {
                switch (parameter.getSort()) {
                    case Type.BOOLEAN:
                    case Type.BYTE:
                    case Type.CHAR:
                    case Type.SHORT:
                    case Type.INT:
                        locals.add(Opcodes.INTEGER);
                        break;
                    case Type.LONG:
                        locals.add(Opcodes.LONG);
                        break;
                    case Type.FLOAT:
                        locals.add(Opcodes.FLOAT);
                        break;
                    case Type.DOUBLE:
                        locals.add(Opcodes.DOUBLE);
                        break;
                    default:
                        locals.add(parameter.getInternalName());
                }
            }
            return locals.toArray();
        }
    }
}
