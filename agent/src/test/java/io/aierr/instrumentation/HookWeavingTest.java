package io.aierr.instrumentation;

import io.aierr.bootstrap.AierrHooks;
import io.aierr.bootstrap.OkHttpHook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The woven prologues and epilogues, on a stand-in for OkHttp's call, with a hook that answers as told. */
class HookWeavingTest {
    /** Stand-in for a client class: its own bodies say when they ran. */
    public static class FakeCall {
        public final List<String> ran = new ArrayList<>();

        public Object execute() {
            ran.add("execute");
            return "original";
        }

        public void enqueue(Runnable callback) {
            ran.add("enqueue");
            callback.run();
        }

        public void cancel() {
            ran.add("cancel");
        }
    }

    /** The hook's scripted answers, and what it was told. */
    static class ScriptedHook implements OkHttpHook {
        Object[] outcome;
        Object callback;
        final List<String> told = new ArrayList<>();

        @Override
        public Object[] execute(Object call) {
            return outcome;
        }

        @Override
        public Object enqueue(Object call, Object appCallback) {
            return callback;
        }

        @Override
        public void sending(Object chain) {
        }

        @Override
        public void cancelled(Object call) {
            try {
                told.add("cancelled after " + ran(call));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final ScriptedHook hook = new ScriptedHook();

    @AfterEach
    void unhook() {
        AierrHooks.okHttp = null;
    }

    private static final TypeInstrumentation FAKE_CALL = new TypeInstrumentation() {
        @Override
        public String typeName() {
            return FakeCall.class.getName();
        }

        @Override
        public List<MethodHook> hooks() {
            return List.of(MethodHook.of("execute", 0, MethodHook.Kind.OUTCOME, "okHttpExecute"),
                    MethodHook.of("enqueue", 1, MethodHook.Kind.FIRST_ARGUMENT, "okHttpEnqueue"),
                    MethodHook.of("cancel", 0, MethodHook.Kind.ON_RETURN, "okHttpCancelled"));
        }
    };

    private Object wovenCall(byte[] classfile) throws Exception {
        byte[] woven = HookWeaving.weave(FAKE_CALL, classfile);
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(FakeCall.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, woven, 0, woven.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return loader.loadClass(FakeCall.class.getName()).getConstructor().newInstance();
    }

    private static byte[] fakeCallClassfile() throws IOException {
        try (InputStream in = FakeCall.class.getResourceAsStream("HookWeavingTest$FakeCall.class")) {
            return in.readAllBytes();
        }
    }

    private static Object invoke(Object target, String method, Object... args) throws Throwable {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(method);
    }

    @SuppressWarnings("unchecked")
    private static List<String> ran(Object call) throws ReflectiveOperationException {
        return (List<String>) call.getClass().getField("ran").get(call);
    }

    @Test
    void withoutHookTheOriginalBodiesRun() throws Throwable {
        Object call = wovenCall(fakeCallClassfile());
        assertEquals("original", invoke(call, "execute"));
        List<String> callbacks = new ArrayList<>();
        invoke(call, "enqueue", (Runnable) () -> callbacks.add("app"));
        invoke(call, "cancel");
        assertEquals(List.of("execute", "enqueue", "cancel"), ran(call));
        assertEquals(List.of("app"), callbacks);
    }

    @Test
    void outcomeIsReturnedOrThrownInsteadOfTheBody() throws Throwable {
        AierrHooks.okHttp = hook;
        Object call = wovenCall(fakeCallClassfile());
        hook.outcome = new Object[] {"from aierr", null};
        assertEquals("from aierr", invoke(call, "execute"));
        IOException failure = new IOException("refused");
        hook.outcome = new Object[] {null, failure};
        assertSame(failure, assertThrows(IOException.class, () -> invoke(call, "execute")));
        hook.outcome = null;
        assertEquals("original", invoke(call, "execute"));
        assertEquals(List.of("execute"), ran(call));
    }

    @Test
    void firstArgumentIsReplacedOrTheBodySkipped() throws Throwable {
        AierrHooks.okHttp = hook;
        Object call = wovenCall(fakeCallClassfile());
        List<String> callbacks = new ArrayList<>();
        hook.callback = (Runnable) () -> callbacks.add("aierr's");
        invoke(call, "enqueue", (Runnable) () -> callbacks.add("app's"));
        hook.callback = null;
        invoke(call, "enqueue", (Runnable) () -> callbacks.add("app's"));
        assertEquals(List.of("aierr's"), callbacks);
        assertEquals(List.of("enqueue"), ran(call));
    }

    @Test
    void onReturnRunsAfterTheBody() throws Throwable {
        AierrHooks.okHttp = hook;
        Object call = wovenCall(fakeCallClassfile());
        invoke(call, "cancel");
        assertEquals(List.of("cancelled after [cancel]"), hook.told);
    }

    @Test
    void aNewerClassFileKeepsItsVersion() throws Throwable {
        byte[] future = fakeCallClassfile();
        future[6] = 0;
        future[7] = 99;
        byte[] woven = HookWeaving.weave(FAKE_CALL, future);
        assertArrayEquals(new byte[] {0, 99}, new byte[] {woven[6], woven[7]});
    }

    @Test
    void aHookThatThrowsLeavesTheOriginalToRun() throws Throwable {
        AierrHooks.okHttp = new ScriptedHook() {
            @Override
            public Object[] execute(Object call) {
                throw new IllegalStateException("aierr bug");
            }
        };
        Object call = wovenCall(fakeCallClassfile());
        assertEquals("original", invoke(call, "execute"));
    }
}
