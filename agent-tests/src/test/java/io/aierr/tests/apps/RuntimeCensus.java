package io.aierr.tests.apps;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * What an app can count of its own resources, to show that a load left nothing behind: heap after
 * GC, live threads, its open TCP connections to a port (Linux: its socket descriptors matched with
 * {@code /proc/net/tcp}), and live instances of classes by name prefix (the JVM's class histogram).
 * Knows no class of aierr: the prefixes are the caller's.
 */
final class RuntimeCensus {
    private static final String ESTABLISHED = "01";

    private RuntimeCensus() {
    }

    /** Heap in use after a few full collections, in bytes. */
    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static int liveThreads() {
        return Thread.getAllStackTraces().size();
    }

    /** Names of live threads that start with {@code prefix}. */
    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix))
                .sorted().toList();
    }

    /** Established connections of this process to {@code port} on this host; -1 where /proc is not there. */
    static int connectionsTo(int port) {
        try {
            Set<String> mine = socketInodes();
            String remotePort = String.format(":%04X", port);
            int count = 0;
            for (String line : Files.readAllLines(Paths.get("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[2].endsWith(remotePort) && f[3].equals(ESTABLISHED) && mine.contains(f[9])) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }

    private static Set<String> socketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listed
                }
            }
        }
        return inodes;
    }

    /** Live instances per class whose name starts with one of {@code prefixes} (a full GC runs first). */
    static Map<String, Long> liveInstances(List<String> prefixes) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, Long> counts = new TreeMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":") && prefixes.stream().anyMatch(f[3]::startsWith)) {
                counts.merge(f[3], Long.parseLong(f[1]), Long::sum);
            }
        }
        return counts;
    }

    /** Polls {@code value} until it is at most {@code target}, for at most {@code millis}; returns its last value. */
    static int awaitAtMost(IntSupplier value, int target, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int v;
        while ((v = value.getAsInt()) > target && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        return v;
    }
}
