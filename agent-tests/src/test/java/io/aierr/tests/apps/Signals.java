package io.aierr.tests.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Marks that a test's server and the app in the forked JVM leave each other, as empty files in one
 * folder (the app's {@code signals=} option): the server leaves {@code answered-N} once its N-th
 * response is sent whole, the app leaves {@code first-line} once it has read the start of a
 * streamed body. Waiting for a mark instead of sleeping a guessed time keeps a test's outcome
 * independent of how fast a loaded machine runs it.
 */
public final class Signals {
    /** Long enough for any loaded machine; a mark that never comes ends the wait and the test fails on its counts. */
    public static final long MAX_WAIT_MILLIS = 30_000;
    private static final long POLL_MILLIS = 5;
    /**
     * How long an app lets its client read a response after the server says it sent it, so that a
     * cancel or interrupt meant for aierr's wait lands in that wait and not in the client's read
     * (the first error of a JVM also loads aierr's classifier). Only which code path is taken
     * depends on it, never what the test asserts: with 200 ms, beside a busy core, 2 of 10 cancels
     * came before aierr had the 429, and a retry that ignored the cancel went unseen.
     */
    static final long SETTLE_MILLIS = 500;

    private Signals() {
    }

    /** Leaves the mark {@code name} in {@code folder}; nothing when the app was given no folder. */
    public static void send(String folder, String name) {
        if (folder != null) {
            send(Paths.get(folder), name);
        }
    }

    public static void send(Path folder, String name) {
        try {
            Files.createFile(folder.resolve(name));
        } catch (FileAlreadyExistsException again) {
            // a mark is left once; the first one counts
        } catch (NoSuchFileException over) {
            // the folder is gone with the test that made it: nobody is waiting any more
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the mark, at most {@link #MAX_WAIT_MILLIS}; true when it came. */
    public static boolean await(Path folder, String name) throws InterruptedException {
        long deadline = System.nanoTime() + MAX_WAIT_MILLIS * 1_000_000L;
        Path mark = folder.resolve(name);
        while (!Files.exists(mark)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    public static boolean await(String folder, String name) throws InterruptedException {
        if (folder == null) {
            throw new IllegalArgumentException("no signals= folder to wait for " + name + " in");
        }
        return await(Paths.get(folder), name);
    }

    /** Waits for the server's mark, then lets the client read what the server sent (see {@link #SETTLE_MILLIS}). */
    public static boolean awaitAndSettle(String folder, String name) throws InterruptedException {
        if (!await(folder, name)) {
            return false;
        }
        Thread.sleep(SETTLE_MILLIS);
        return true;
    }

    /**
     * Runs {@code action} on a daemon thread once the mark has come and the client had its moment
     * to read; interrupting the returned thread before then calls it off.
     */
    static Thread whenSignalled(String folder, String name, Runnable action) {
        Thread watcher = new Thread(() -> {
            try {
                if (awaitAndSettle(folder, name)) {
                    action.run();
                }
            } catch (InterruptedException calledOff) {
                // the call ended first: nothing to act on
            }
        }, "signal-" + name);
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    /**
     * Calls off a watcher from {@link #whenSignalled} once what it was to act on is over, and
     * waits until it has stopped; an interrupt it delivered meanwhile stays on the caller.
     */
    static void callOff(Thread watcher) {
        if (watcher == null) {
            return;
        }
        watcher.interrupt();
        boolean interrupted = false;
        while (watcher.isAlive()) {
            try {
                watcher.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
