package io.aierr.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Arrays;

/**
 * The calls of one kind made this iteration: each call's time, and the CPU time the calling thread
 * used and the bytes it allocated during it (what the client and aierr did on the app's thread; work
 * the client hands to its own threads, such as the JDK client's reading of a response body, is not
 * in them). CPU time, unlike the call's time, does not run on while other processes hold the cores. One
 * benchmark thread writes; {@link CallProfiler} reads after the iteration, when the thread is idle.
 */
final class Calls {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long[] nanos = new long[1 << 16];
    private int count;
    private long allocated;
    private long cpu;

    byte[] time(CallBench.Call call, URI uri, byte[] body) throws Exception {
        long thread = Thread.currentThread().getId();
        long bytes = THREADS.getThreadAllocatedBytes(thread);
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        byte[] answer = call.send(uri, body);
        long took = System.nanoTime() - start;
        cpu += THREADS.getCurrentThreadCpuTime() - cpuStart;
        allocated += THREADS.getThreadAllocatedBytes(thread) - bytes;
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = took;
        return answer;
    }

    void reset() {
        count = 0;
        allocated = 0;
        cpu = 0;
    }

    int count() {
        return count;
    }

    double meanMicros() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += nanos[i];
        }
        return count == 0 ? Double.NaN : sum / 1000.0 / count;
    }

    double medianMicros() {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        return (count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0) / 1000.0;
    }

    double cpuMicrosPerCall() {
        return count == 0 ? Double.NaN : cpu / 1000.0 / count;
    }

    double allocatedPerCall() {
        return count == 0 ? Double.NaN : (double) allocated / count;
    }
}
