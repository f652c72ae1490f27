package io.aierr.core.retry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelayedTest {
    private static List<Thread> dueThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(Delayed.THREAD_PREFIX) && t.isAlive()).collect(Collectors.toList());
    }

    @Test
    void actionsRunOffTheCallersThreadAndTheirThreadsEndWhenIdle() throws InterruptedException {
        int actions = 20;
        CountDownLatch ran = new CountDownLatch(actions);
        Thread caller = Thread.currentThread();
        for (int i = 0; i < actions; i++) {
            Delayed.offThread(i % 3, () -> {
                assertNotEquals(caller, Thread.currentThread());
                ran.countDown();
            });
        }
        assertTrue(ran.await(10, TimeUnit.SECONDS), "every action ran");
        // idle threads end after IDLE_SECONDS; the deadline leaves room for a loaded machine
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Delayed.IDLE_SECONDS * 4);
        while (!dueThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), dueThreads(), "threads of the pool still alive after idling");
    }
}
