package io.aierr.telemetry;

import io.aierr.core.TraceScope;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ImplicitContextKeyed;
import io.opentelemetry.context.Scope;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.ref.Reference;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

import static java.lang.invoke.MethodType.methodType;

/**
 * The application's own OpenTelemetry, which aierr's relocated SDK shares no class with: the app's
 * unrelocated {@code io.opentelemetry.api} (its own SDK behind it, or bridged to the OpenTelemetry
 * Java agent), or else the agent's private copy of the API in the bootstrap class loader. Called
 * through method handles looked up once per class loader; a loader without the API is remembered
 * as such, so an app without OpenTelemetry pays one failed class lookup.
 */
final class AppOtel {
    /** Shading renames aierr's copy of the API; the app's copy keeps the original names. */
    private static final String RELOCATION = "io.aierr.shaded.";
    /**
     * Where the OpenTelemetry Java agent keeps its copy. Joined at run time: the shade plugin would
     * relocate a literal that starts with the OpenTelemetry package.
     */
    private static final String AGENT_COPY = String.join(".", "io", "opentelemetry", "javaagent", "shaded", "");
    /** Soft values: a cached API must not keep an undeployed app's class loader alive. */
    private static final Map<ClassLoader, Reference<AppOtel>> BY_LOADER = new WeakHashMap<>();
    private static final Reference<AppOtel> ABSENT = new WeakReference<>(null);

    private final Consumer<String> warn;
    private final MethodHandle contextCurrent;
    private final MethodHandle contextWith;
    private final MethodHandle makeCurrent;
    private final MethodHandle scopeClose;
    private final MethodHandle spanFromContext;
    private final MethodHandle spanContextOf;
    private final MethodHandle spanWrap;
    private final MethodHandle isValid;
    private final MethodHandle traceIdOf;
    private final MethodHandle spanIdOf;
    private final MethodHandle traceFlagsOf;
    private final MethodHandle traceStateOf;
    private final MethodHandle flagsAsByte;
    private final MethodHandle flagsFromByte;
    private final MethodHandle createSpanContext;
    /** The agent's root context with its instrumentation suppressed; null for an app's own API. */
    private final Object suppressed;

    private AppOtel(String prefix, ClassLoader loader, Consumer<String> warn) throws ReflectiveOperationException {
        this.warn = warn;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> context = Class.forName(prefix + unrelocated(Context.class), false, loader);
        loader = context.getClassLoader();
        Class<?> keyed = Class.forName(prefix + unrelocated(ImplicitContextKeyed.class), false, loader);
        Class<?> scope = Class.forName(prefix + unrelocated(Scope.class), false, loader);
        Class<?> span = Class.forName(prefix + unrelocated(Span.class), false, loader);
        Class<?> spanContext = Class.forName(prefix + unrelocated(SpanContext.class), false, loader);
        Class<?> flags = Class.forName(prefix + unrelocated(TraceFlags.class), false, loader);
        Class<?> state = Class.forName(prefix + unrelocated(TraceState.class), false, loader);
        contextCurrent = lookup.findStatic(context, "current", methodType(context));
        contextWith = lookup.findVirtual(context, "with", methodType(context, keyed));
        makeCurrent = lookup.findVirtual(context, "makeCurrent", methodType(scope));
        scopeClose = lookup.findVirtual(scope, "close", methodType(void.class));
        spanFromContext = lookup.findStatic(span, "fromContext", methodType(span, context));
        spanContextOf = lookup.findVirtual(span, "getSpanContext", methodType(spanContext));
        spanWrap = lookup.findStatic(span, "wrap", methodType(span, spanContext));
        isValid = lookup.findVirtual(spanContext, "isValid", methodType(boolean.class));
        traceIdOf = lookup.findVirtual(spanContext, "getTraceId", methodType(String.class));
        spanIdOf = lookup.findVirtual(spanContext, "getSpanId", methodType(String.class));
        traceFlagsOf = lookup.findVirtual(spanContext, "getTraceFlags", methodType(flags));
        traceStateOf = lookup.findVirtual(spanContext, "getTraceState", methodType(state));
        flagsAsByte = lookup.findVirtual(flags, "asByte", methodType(byte.class));
        flagsFromByte = lookup.findStatic(flags, "fromByte", methodType(flags, byte.class));
        createSpanContext = lookup.findStatic(spanContext, "create",
                methodType(spanContext, String.class, String.class, flags, state));
        suppressed = prefix.isEmpty() ? null : suppressedRoot(lookup, prefix, context);
    }

    /**
     * The app's OpenTelemetry as the calling thread sees it: the API its context class loader
     * finds, else the OpenTelemetry agent's; null when there is neither.
     */
    static AppOtel forCurrentThread(Consumer<String> warn) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        AppOtel api = loader == null ? null : forLoader(loader, warn);
        return api != null ? api : agent(warn);
    }

    /** The OpenTelemetry Java agent's API, or null when no agent runs. */
    static AppOtel agent(Consumer<String> warn) {
        return AgentHolder.api(warn);
    }

    private static AppOtel forLoader(ClassLoader loader, Consumer<String> warn) {
        synchronized (BY_LOADER) {
            Reference<AppOtel> ref = BY_LOADER.get(loader);
            if (ref == ABSENT) {
                return null;
            }
            AppOtel api = ref == null ? null : ref.get();
            if (api == null) {
                api = load("", loader, warn);
                BY_LOADER.put(loader, api == null ? ABSENT : new SoftReference<>(api));
            }
            return api;
        }
    }

    private static AppOtel load(String prefix, ClassLoader loader, Consumer<String> warn) {
        try {
            return new AppOtel(prefix, loader, warn);
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn.accept("the application's OpenTelemetry API is not usable, aierr's spans start their own traces: " + e);
            return null;
        }
    }

    /** The current context of the app on this thread, with the span in it. */
    AppContext current() {
        try {
            Object context = contextCurrent.invoke();
            Object spanContext = spanContextOf.invoke(spanFromContext.invoke(context));
            boolean valid = (boolean) isValid.invoke(spanContext);
            return new AppContext(context, valid, (String) traceIdOf.invoke(spanContext),
                    (String) spanIdOf.invoke(spanContext), (byte) flagsAsByte.invoke(traceFlagsOf.invoke(spanContext)),
                    traceStateOf.invoke(spanContext));
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    /** Makes one of aierr's spans the current span of the app, on top of {@code base}, on this thread. */
    TraceScope makeCurrent(AppContext base, String traceId, String spanId, byte flags) {
        try {
            Object spanContext = createSpanContext.invoke(traceId, spanId, flagsFromByte.invoke(flags), base.traceState);
            return scope(makeCurrent.invoke(contextWith.invoke(base.context, spanWrap.invoke(spanContext))));
        } catch (Throwable t) {
            failed(t);
            return TraceScope.NONE;
        }
    }

    /** A scope in which the OpenTelemetry agent traces nothing; null when this is no agent. */
    TraceScope suppressInstrumentation() {
        if (suppressed == null) {
            return null;
        }
        try {
            return scope(makeCurrent.invoke(suppressed));
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    private TraceScope scope(Object scope) {
        return () -> {
            try {
                scopeClose.invoke(scope);
            } catch (Throwable t) {
                failed(t);
            }
        };
    }

    private void failed(Throwable t) {
        warn.accept("the application's OpenTelemetry context could not be used: " + t);
    }

    /** The agent offers suppression only as "run this": the context it runs in is kept, to reuse as a scope. */
    private Object suppressedRoot(MethodHandles.Lookup lookup, String prefix, Class<?> context)
            throws ReflectiveOperationException {
        String api = unrelocated(OpenTelemetry.class);
        Class<?> util = Class.forName(prefix + api.substring(0, api.lastIndexOf('.')) + ".impl.InstrumentationUtil",
                false, context.getClassLoader());
        MethodHandle suppress = lookup.findStatic(util, "suppressInstrumentation", methodType(void.class, Runnable.class));
        MethodHandle root = lookup.findStatic(context, "root", methodType(context));
        Object[] captured = new Object[1];
        try {
            Object atRoot = makeCurrent.invoke(root.invoke());
            try {
                suppress.invoke((Runnable) () -> {
                    try {
                        captured[0] = contextCurrent.invoke();
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                });
            } finally {
                scopeClose.invoke(atRoot);
            }
        } catch (Throwable t) {
            throw new ReflectiveOperationException("cannot suppress the agent's instrumentation: " + t, t);
        }
        return captured[0];
    }

    /** aierr's name of an OpenTelemetry class as the app and the agent spell it. */
    private static String unrelocated(Class<?> c) {
        String name = c.getName();
        return name.startsWith(RELOCATION) ? name.substring(RELOCATION.length()) : name;
    }

    /** Looked up once: the agent, if any, started before the app's first AI call. */
    private static final class AgentHolder {
        private static volatile boolean looked;
        private static AppOtel api;

        static AppOtel api(Consumer<String> warn) {
            if (!looked) {
                synchronized (AgentHolder.class) {
                    if (!looked) {
                        api = load(AGENT_COPY, null, warn);
                        looked = true;
                    }
                }
            }
            return api;
        }
    }

    /** The app's context captured on its thread, and the span context in it (maybe invalid: no span). */
    static final class AppContext {
        final Object context;
        final boolean valid;
        final String traceId;
        final String spanId;
        final byte flags;
        final Object traceState;

        AppContext(Object context, boolean valid, String traceId, String spanId, byte flags, Object traceState) {
            this.context = context;
            this.valid = valid;
            this.traceId = traceId;
            this.spanId = spanId;
            this.flags = flags;
            this.traceState = traceState;
        }
    }
}
