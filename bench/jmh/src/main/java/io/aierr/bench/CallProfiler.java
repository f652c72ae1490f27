package io.aierr.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.List;

/**
 * Reports {@link CallBench}'s calls of each kind per iteration: mean and median time of the
 * non-AI and the AI calls and their difference, and the CPU time and bytes each used on the
 * calling thread. A fork's value is the average over its measured iterations.
 */
public final class CallProfiler implements InternalProfiler {
    @Override
    public String getDescription() {
        return "CallBench: each kind of call on its own";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        CallBench.NON_AI.reset();
        CallBench.AI.reset();
    }

    @Override
    public List<Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                       IterationResult result) {
        Calls plain = CallBench.NON_AI;
        Calls ai = CallBench.AI;
        double plainMean = plain.meanMicros();
        double aiMean = ai.meanMicros();
        double plainMedian = plain.medianMicros();
        double aiMedian = ai.medianMicros();
        return List.of(
                scalar("nonai.mean", plainMean, "us"), scalar("ai.mean", aiMean, "us"),
                scalar("added.mean", aiMean - plainMean, "us"),
                scalar("nonai.p50", plainMedian, "us"), scalar("ai.p50", aiMedian, "us"),
                scalar("added.p50", aiMedian - plainMedian, "us"),
                scalar("nonai.cpu", plain.cpuMicrosPerCall(), "us"), scalar("ai.cpu", ai.cpuMicrosPerCall(), "us"),
                scalar("nonai.alloc", plain.allocatedPerCall(), "B"), scalar("ai.alloc", ai.allocatedPerCall(), "B"),
                scalar("calls", plain.count() + ai.count(), "calls"));
    }

    private static Result scalar(String name, double value, String unit) {
        return new ScalarResult(name, value, unit, AggregationPolicy.AVG);
    }
}
