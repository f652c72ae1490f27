package io.aierr.tests.apps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails an app whose calls stop making progress: when no call has ended for {@code stallSeconds},
 * it prints {@code watchdog=stalled} and every thread's stack (locks included, so a deadlock shows)
 * and exits with status 3.
 */
final class Watchdog {
    static final int STALLED_EXIT = 3;

    private final AtomicLong progress = new AtomicLong();
    private final Thread thread;

    Watchdog(long stallSeconds) {
        thread = new Thread(() -> watch(stallSeconds), "load-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** One more call ended. */
    void progressed() {
        progress.incrementAndGet();
    }

    void stop() {
        thread.interrupt();
    }

    private void watch(long stallSeconds) {
        long seen = -1;
        long since = System.nanoTime();
        try {
            while (true) {
                Thread.sleep(1000);
                long now = progress.get();
                if (now != seen) {
                    seen = now;
                    since = System.nanoTime();
                } else if ((System.nanoTime() - since) / 1_000_000_000L >= stallSeconds) {
                    stalled(seen, stallSeconds);
                }
            }
        } catch (InterruptedException stopped) {
            // the calls are over
        }
    }

    private static void stalled(long calls, long stallSeconds) {
        StringBuilder dump = new StringBuilder("watchdog=stalled after " + calls + " calls, none ended for "
                + stallSeconds + " s\n");
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append(info.getThreadName()).append(" ").append(info.getThreadState()).append('\n');
            for (StackTraceElement frame : info.getStackTrace()) {
                dump.append("\tat ").append(frame).append('\n');
            }
        }
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        dump.append("deadlocked=").append(deadlocked == null ? 0 : deadlocked.length).append('\n');
        System.out.print(dump);
        System.out.flush();
        Runtime.getRuntime().halt(STALLED_EXIT);
    }
}
