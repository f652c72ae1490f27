package io.aierr.tests.apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a test app the way Spring Boot's launcher or an app server does: the HTTP client's jars
 * and the app's classes live in a child class loader, and the system loader (which holds the
 * agent) cannot see them. System properties {@code launcher.app} (the app's class) and
 * {@code launcher.jars} (the client's class path); arguments go to the app.
 */
public final class IsolatedLoaderLauncher {
    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String jar : System.getProperty("launcher.jars").split(File.pathSeparator)) {
            urls.add(new File(jar).toURI().toURL());
        }
        urls.add(IsolatedLoaderLauncher.class.getProtectionDomain().getCodeSource().getLocation());
        ClassLoader child = new AppFirstLoader(urls.toArray(new URL[0]));
        Class<?> main = child.loadClass(System.getProperty("launcher.app"));
        System.out.println("loader.app=" + (main.getClassLoader() == child ? "child" : "system"));
        System.out.println("loader.system-sees-client="
                + (visible("org.apache.hc.core5.http.HttpEntity") || visible("okhttp3.Call")));
        main.getMethod("main", String[].class).invoke(null, (Object) args);
    }

    private static boolean visible(String name) {
        try {
            Class.forName(name, false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Parent first, except for the test apps, which must be defined here to see the client. */
    private static final class AppFirstLoader extends URLClassLoader {
        AppFirstLoader(URL[] urls) {
            super(urls, ClassLoader.getSystemClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(IsolatedLoaderLauncher.class.getPackageName() + ".")
                    || name.equals(IsolatedLoaderLauncher.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : findClass(name);
            }
        }
    }
}
