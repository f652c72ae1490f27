package io.aierr.agent;

import io.aierr.config.AgentArguments;
import io.aierr.config.AierrConfig;
import io.aierr.config.Version;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;

/**
 * Entry point of {@code -javaagent:aierr.jar} (and of attaching to a running JVM). Whatever goes
 * wrong here is reported in one line and the app starts without aierr: an exception escaping
 * premain would kill the JVM. This class names no bridge type, so that verifying it cannot
 * load one before {@link BridgeInjector} has put it in place.
 */
public final class AierrAgent {
    /**
     * Set in a JVM where aierr runs, to its version and how it started ({@code 0.1.0, started by attach}). Not an
     * {@code aierr.*} name: it is no setting.
     */
    public static final String RUNNING_PROPERTY = "io.aierr.agent.running";
    /** How this copy of aierr started ({@code -javaagent}, {@code attach}), or null before. */
    private static String startedBy;
    /** In aierr's own class loader: where the extension side hands over the agent's pipeline. */
    private static final String TELEMETRY_LINK = "io.aierr.telemetry.AgentSdkLink";

    private AierrAgent() {
    }

    /** {@code -javaagent:aierr.jar[=name=value,...]}; see {@link AgentArguments} for the syntax. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst, "-javaagent");
    }

    /** Attached to a running JVM ({@code java -jar aierr.jar attach <pid> name=value ...}). */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, "attach");
    }

    /**
     * Loaded as the OpenTelemetry agent's extension: starts aierr with the agent's Instrumentation.
     * The agent's extension class loader rewrites the classes it loads and does not delegate to the
     * platform loader, where the bridge to the woven JDK classes lives, so aierr runs from its jar
     * in a class loader of its own, as it does with -javaagent; its telemetry goes through
     * {@code pipeline}, the agent's SDK as the extension side hands it over. Does nothing without the
     * agent (an app's own SDK autoconfiguration may find this entry point in aierr.jar on the class
     * path) or when aierr already runs.
     *
     * @param pipeline where spans and measurements go, typed with java.base only (see AgentSdk)
     * @return whether aierr started, so that its spans will come through the agent's pipeline
     */
    static boolean startAsExtension(Map<String, Object> pipeline) {
        Instrumentation inst = otelAgentInstrumentation();
        if (inst == null || BridgeInjector.alreadyInjected()) {
            return false;
        }
        File jar = ExtensionJar.find();
        if (jar == null) {
            System.err.println("aierr: loaded as an OpenTelemetry agent extension, but otel.javaagent.extensions does"
                    + " not name aierr.jar; not started, the application runs without it (use -javaagent:aierr.jar)");
            return false;
        }
        try {
            ClassLoader own = new URLClassLoader(new URL[] {jar.toURI().toURL()}, ClassLoader.getPlatformClassLoader());
            Class.forName(TELEMETRY_LINK, true, own).getMethod("link", Map.class).invoke(null, pipeline);
            Method premain = Class.forName(AierrAgent.class.getName(), true, own)
                    .getMethod("premain", String.class, Instrumentation.class);
            System.err.println("aierr: started as an OpenTelemetry Java agent extension; its spans and metrics go"
                    + " through the agent's SDK (resource, processors, exporters) and join the agent's traces");
            premain.invoke(null, null, inst);
            return true;
        } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
            System.err.println("aierr: not started as an OpenTelemetry agent extension, the application runs without"
                    + " it (use -javaagent:aierr.jar): " + e);
            return false;
        }
    }

    /** The Instrumentation the OpenTelemetry agent keeps for its extensions, or null without the agent. */
    private static Instrumentation otelAgentInstrumentation() {
        // joined at run time: the shade plugin would relocate a literal OpenTelemetry class name
        String holder = String.join(".", "io", "opentelemetry", "javaagent", "bootstrap", "InstrumentationHolder");
        try {
            return (Instrumentation) Class.forName(holder, false, null).getMethod("getInstrumentation").invoke(null);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
    }

    private static synchronized void start(String args, Instrumentation inst, String how) {
        try {
            if (startedBy != null) {
                // a second attach (or -javaagent, then attach): the classes are woven once, by the first
                System.err.println("aierr: already running in this JVM (started by " + startedBy
                        + "); this " + how + " changes nothing, its settings are not applied");
                return;
            }
            startedBy = how;
            // what java -jar aierr.jar attach reads to tell a JVM where aierr already runs
            System.setProperty(RUNNING_PROPERTY, Version.get() + ", started by " + how);
            if (BridgeInjector.alreadyInjected()) {
                // aierr.jar given twice (-javaagent and as the OpenTelemetry agent's extension): one runs
                System.err.println("aierr: already running from another copy of aierr.jar; this one stays off");
                return;
            }
            AierrConfig config = AierrConfig.load(AgentArguments.parse(args));
            config.warnings.forEach(System.err::println);
            if (!config.enabled) {
                System.err.println("aierr: disabled by aierr.enabled=false");
                System.setProperty(RUNNING_PROPERTY, Version.get() + ", started by " + how
                        + " and disabled by aierr.enabled=false");
                return;
            }
            BridgeInjector.inject(inst);
            AgentInstaller.install(inst, config);
        } catch (Throwable t) {
            System.err.println("aierr: not started, the application runs without it: " + t);
        }
    }
}
