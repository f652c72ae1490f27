package io.aierr.bench;

import org.apache.commons.math3.distribution.TDistribution;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Runs {@link CallBench} in rounds of forks, then {@link HookBench}, and writes a Markdown report.
 * Each round runs every {@code NonAiOnly} benchmark (an app that makes no AI call) once without and
 * once with {@code -javaagent:aierr.jar}, back to back (which goes first alternates between rounds,
 * so that a change in the shared machine's load meets both sides alike), then the benchmarks that
 * mix non-AI and AI calls with the agent.
 *
 * <ul>
 * <li>Non-AI call: the {@code NonAiOnly} calls with aierr against the same without it, paired by
 * round: mean over rounds of (with - without), with its 95 % interval (Student's t, rounds - 1 d.f.).
 * The same for the non-AI calls of a JVM that also makes AI calls (the {@code 2k} forks) against the
 * {@code NonAiOnly} forks without aierr.
 * <li>AI call: in each fork with aierr, the AI calls against the non-AI calls made alongside them;
 * mean over forks of that difference, with its 95 % interval. The same difference between the two
 * kinds of call in the {@code NonAiOnly} forks without aierr (two plain calls) is the control: what
 * the method reads where nothing differs.
 * </ul>
 *
 * <pre>java -cp ... io.aierr.bench.PairedRuns --jar agent/target/aierr.jar --out report.md
 *     [--rounds 5] [--warmup 6] [--measure 2] [--iteration-ms 1000] [--logs dir] [--skip-hooks]
 *     [--only regex]</pre>
 */
public final class PairedRuns {
    private static final String[][] FAMILIES = {
        {"jdk", "JDK HttpClient `send`"},
        {"okhttp", "OkHttp 4.12 `execute`"},
        {"hc5", "HttpClient 5.6 classic `execute`"},
    };
    /** Benchmarks run with and without aierr. */
    private static final List<String> BOTH_WAYS = List.of("jdkNonAiOnly", "okhttpNonAiOnly", "hc5NonAiOnly");
    /** Benchmarks run with aierr only: their non-AI calls are the baseline. */
    private static final List<String> AGENT_ONLY = List.of("jdk2k", "okhttp2k", "hc52k", "jdk1m", "okhttp1m", "hc51m",
            "okhttpError", "hc5Error");

    /** One fork's values (CallProfiler's, averaged over the measured iterations). */
    private static final class Fork {
        final double nonAiMean;
        final double aiMean;
        final double nonAiMedian;
        final double aiMedian;
        final double nonAiCpu;
        final double aiCpu;
        final double nonAiAlloc;
        final double aiAlloc;
        final double calls;
        final double load;
        final String benchmark;

        Fork(String benchmark, Map<String, Result> r, double load) {
            this.benchmark = benchmark;
            nonAiMean = value(r, "nonai.mean");
            aiMean = value(r, "ai.mean");
            nonAiMedian = value(r, "nonai.p50");
            aiMedian = value(r, "ai.p50");
            nonAiCpu = value(r, "nonai.cpu");
            aiCpu = value(r, "ai.cpu");
            nonAiAlloc = value(r, "nonai.alloc");
            aiAlloc = value(r, "ai.alloc");
            calls = value(r, "calls");
            this.load = load;
        }

        private static double value(Map<String, Result> results, String name) {
            Result r = results.get(name);
            if (r == null) {
                throw new IllegalStateException("no " + name + " in " + results.keySet());
            }
            return r.getScore();
        }
    }

    private final int rounds;
    private final int warmup;
    private final int measure;
    private final int iterationMillis;
    private final Path logs;
    private final List<String> common;
    private final List<String> agent;
    private final List<String> bothWays;
    private final List<String> agentOnly;
    private final Map<String, List<Fork>> forks = new LinkedHashMap<>();
    private int forkCount;
    private double minLoad = Double.MAX_VALUE;
    private double maxLoad;

    private PairedRuns(String jar, int rounds, int warmup, int measure, int iterationMillis, Path logs, String only)
            throws IOException {
        this.rounds = rounds;
        this.warmup = warmup;
        this.measure = measure;
        this.iterationMillis = iterationMillis;
        this.logs = logs;
        this.bothWays = only == null ? BOTH_WAYS : BOTH_WAYS.stream().filter(b -> b.matches(only)).collect(Collectors.toList());
        this.agentOnly = only == null ? AGENT_ONLY : AGENT_ONLY.stream().filter(b -> b.matches(only)).collect(Collectors.toList());
        int nonAiPort = freePort();
        int aiPort = freePort();
        while (aiPort == nonAiPort) {
            aiPort = freePort();
        }
        common = List.of("-Xms512m", "-Xmx512m", "-Dsun.net.httpserver.nodelay=true",
                "-Dbench.nonAiPort=" + nonAiPort, "-Dbench.aiPort=" + aiPort);
        List<String> withAgent = new ArrayList<>(common);
        withAgent.addAll(List.of("-javaagent:" + jar, "-Daierr.endpoints=127.0.0.1:" + aiPort + "=openai",
                "-Daierr.exporter=none", "-Daierr.summary=false"));
        agent = List.copyOf(withAgent);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--skip-hooks")) {
                opts.put("skip-hooks", "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                opts.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String jar = Paths.get(required(opts, "jar")).toAbsolutePath().toString();
        Path logs = Paths.get(opts.getOrDefault("logs", "target/jmh-logs"));
        Files.createDirectories(logs);
        PairedRuns runs = new PairedRuns(jar, Integer.parseInt(opts.getOrDefault("rounds", "5")),
                Integer.parseInt(opts.getOrDefault("warmup", "6")), Integer.parseInt(opts.getOrDefault("measure", "2")),
                Integer.parseInt(opts.getOrDefault("iteration-ms", "1000")), logs, opts.get("only"));
        runs.runCalls();
        Map<String, double[]> hooks = opts.containsKey("skip-hooks") ? Map.of() : runs.runHooks();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(required(opts, "out")),
                StandardCharsets.UTF_8))) {
            runs.report(hooks, out);
        }
    }

    private static String required(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private void runCalls() throws RunnerException, IOException {
        int perRound = 2 * bothWays.size() + agentOnly.size();
        for (int round = 1; round <= rounds; round++) {
            boolean agentFirst = round % 2 == 0;
            for (String benchmark : bothWays) {
                fork(round, perRound, benchmark, agentFirst);
                fork(round, perRound, benchmark, !agentFirst);
            }
            for (String benchmark : agentOnly) {
                fork(round, perRound, benchmark, true);
            }
        }
    }

    private void fork(int round, int perRound, String benchmark, boolean withAgent) throws RunnerException {
        double load = loadAverage();
        minLoad = Math.min(minLoad, load);
        maxLoad = Math.max(maxLoad, load);
        String variant = withAgent ? "aierr" : "none";
        Path log = logs.resolve(String.format(Locale.ROOT, "r%d-%s-%s.log", round, benchmark, variant));
        System.out.printf(Locale.ROOT, "round %d/%d, fork %d/%d: %s %s (load %.2f)%n", round, rounds,
                forkCount % perRound + 1, perRound, benchmark, variant, load);
        forkCount++;
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("^" + CallBench.class.getName().replace(".", "\\.") + "\\." + benchmark + "$")
                .forks(1).warmupIterations(warmup).measurementIterations(measure)
                .warmupTime(TimeValue.milliseconds(iterationMillis)).measurementTime(TimeValue.milliseconds(iterationMillis))
                .jvmArgsAppend((withAgent ? agent : common).toArray(new String[0]))
                .addProfiler(CallProfiler.class)
                .shouldFailOnError(true).output(log.toString()).build()).run();
        if (results.size() != 1) {
            throw new IllegalStateException(results.size() + " results for " + benchmark + ", see " + log);
        }
        BenchmarkResult only = results.iterator().next().getBenchmarkResults().iterator().next();
        Fork f = new Fork(benchmark, only.getSecondaryResults(), load);
        forks.computeIfAbsent(benchmark + "|" + variant, k -> new ArrayList<>()).add(f);
        System.out.printf(Locale.ROOT, "  non-AI %.1f us (median %.1f), AI %.1f us (median %.1f), %.0f calls%n",
                f.nonAiMean, f.nonAiMedian, f.aiMean, f.aiMedian, f.calls);
    }

    /**
     * HookBench with the agent, two forks of 5 iterations: benchmark -> {median, min, max} of the
     * iterations' scores in ns (the median, because a burst of the machine's other load can take one
     * iteration many times longer).
     */
    private Map<String, double[]> runHooks() throws RunnerException {
        System.out.println("HookBench with aierr, 2 forks");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("^" + HookBench.class.getName().replace(".", "\\.") + "\\.")
                .forks(2).warmupIterations(2).measurementIterations(5)
                .warmupTime(TimeValue.milliseconds(iterationMillis)).measurementTime(TimeValue.milliseconds(iterationMillis))
                .jvmArgsAppend(agent.toArray(new String[0]))
                .shouldFailOnError(true).output(logs.resolve("hooks.log").toString()).build()).run();
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            Statistics iterations = r.getPrimaryResult().getStatistics();
            scores.put(name.substring(name.lastIndexOf('.') + 1),
                    new double[] {iterations.getPercentile(50), iterations.getMin(), iterations.getMax()});
        }
        return scores;
    }

    // ---- report

    private void report(Map<String, double[]> hooks, PrintWriter out) {
        out.printf(Locale.ROOT, "%d rounds, %d forks in all, each %d x %d ms warm-up then %d x %d ms measured (two calls per"
                + " operation, each timed on its own); load average (1 min) %.2f-%.2f at the forks' starts.%n%n",
                rounds, forkCount, warmup, iterationMillis, measure, iterationMillis, minLoad, maxLoad);
        nonAiTables(hooks, out);
        aiTable(out);
        allocationTable(out);
        forkTable(out);
        reading(hooks, out);
    }

    private void nonAiTables(Map<String, double[]> hooks, PrintWriter out) {
        if (!bothWays.isEmpty()) {
            nonAiOnlyTable(out);
        }
        hookTable(hooks, out);
        mixedTable(out);
    }

    private void nonAiOnlyTable(PrintWriter out) {
        out.println("**Non-AI call** (2 KiB POST to a port aierr.endpoints does not list, answered 200), in a JVM whose"
                + " app makes no AI call (`NonAiOnly`): its forks without and with aierr, paired by round. *without* /"
                + " *with*: mean over forks ± the 95 % interval of that mean; *added*: mean of the paired differences ±"
                + " its 95 % interval (t, " + (rounds - 1) + " d.f.); *ratio*: with / without, and the interval of the"
                + " ratio. Per call: each fork's mean and median time, and the CPU time of the calling thread, which"
                + " does not run on while other processes hold the cores.");
        out.println();
        crossForkTable(out, "NonAiOnly");
    }

    private void hookTable(Map<String, double[]> hooks, PrintWriter out) {
        if (!hooks.isEmpty()) {
            out.println("**The hooks alone, non-AI call** (`HookBench`, with aierr, 2 forks x 5 x " + iterationMillis
                    + " ms, average time: median of the 10 iterations, and their range): what each woven client"
                    + " method's hook does before it"
                    + " answers \"not an AI call\" and the client goes on as without aierr; the share is of the"
                    + " non-AI call's mean time without aierr above.");
            out.println();
            out.println("| hook | ns per call (range) | share of the call |");
            out.println("|---|---|---|");
            String[][] rows = {
                {"jdkSend", "JDK `HttpClient.send`", "jdk"},
                {"okhttpExecute", "OkHttp `RealCall.execute` + `RetryAndFollowUpInterceptor.intercept`", "okhttp"},
                {"hc5Execute", "HttpClient 5 `InternalHttpClient.doExecute`", "hc5"},
                {"hc5Retry", "HttpClient 5 `DefaultHttpRequestRetryStrategy.retryRequest` (once per response)", "hc5"},
            };
            for (String[] row : rows) {
                double[] score = hooks.get(row[0]);
                if (score == null) {
                    continue;
                }
                List<Fork> base = forks.get(row[2] + "NonAiOnly|none");
                String share = base == null ? "" : String.format(Locale.ROOT, "%.3f %%",
                        score[0] / 1000 / average(values(base, Metric.MEAN::of)) * 100);
                out.printf(Locale.ROOT, "| %s | %.0f (%.0f-%.0f) | %s |%n", row[1], score[0], score[1], score[2], share);
            }
            out.println();
        }
    }

    private void mixedTable(PrintWriter out) {
        boolean mixed = false;
        for (String[] family : FAMILIES) {
            mixed |= forks.containsKey(family[0] + "2k|aierr") && forks.containsKey(family[0] + "NonAiOnly|none");
        }
        if (mixed) {
            out.println("**Non-AI call in a JVM that also makes AI calls**: the non-AI calls of the `2k` forks with aierr"
                    + " (each next to an AI call through the same client) against the `NonAiOnly` forks without aierr,"
                    + " paired by round, as above.");
            out.println();
            crossForkTable(out, "2k");
        }
    }

    /** Non-AI calls with aierr (in {@code family + withBenchmark} forks) against NonAiOnly forks without. */
    private void crossForkTable(PrintWriter out, String withBenchmark) {
        out.println("| client | per call | without aierr | with aierr | added | ratio | reading |");
        out.println("|---|---|---|---|---|---|---|");
        for (String[] family : FAMILIES) {
            List<Fork> base = forks.get(family[0] + "NonAiOnly|none");
            List<Fork> with = forks.get(family[0] + withBenchmark + "|aierr");
            if (base == null || with == null) {
                continue;
            }
            for (Metric metric : Metric.values()) {
                Stats s = crossFork(base, with, metric);
                out.printf(Locale.ROOT, "| %s | %s | %.1f ± %.1f µs | %.1f ± %.1f µs | %+.1f ± %.1f µs | %.3f (%.3f-%.3f) | %s |%n",
                        family[1], metric.label, s.without, s.withoutCi, s.with, s.withCi, s.added,
                        s.addedCi, s.ratio(), s.ratioLow(), s.ratioHigh(), nonAiVerdict(s));
            }
        }
        out.println();
    }

    private void aiTable(PrintWriter out) {
        out.println("**AI call** (the port aierr.endpoints lists as OpenAI): in each fork with aierr, the AI calls against"
                + " the non-AI calls made alongside them (same JVM, same seconds, alternating order); mean over forks ±"
                + " the 95 % interval (t, " + (rounds - 1) + " d.f.). *Added CPU time*: the same difference in CPU time"
                + " of the app's thread per call (the JDK client reads response bodies on its own threads: not in its"
                + " rows). The *control* rows read the same difference between the two calls of the `NonAiOnly` forks"
                + " without aierr, where nothing differs: the method's own noise.");
        out.println();
        out.println("| client | call | non-AI call | AI call | added per call (mean) | added per call (median) | added CPU time of the calling thread | reading |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (String[] family : FAMILIES) {
            String[][] rows = {{"2k", "200, 2 KiB", "aierr"}, {"1m", "200, 1 MiB upload", "aierr"},
                               {"Error", "400 (not retried), 2 KiB", "aierr"},
                               {"NonAiOnly", "*control*: two non-AI calls, no aierr", "none"}};
            for (String[] kind : rows) {
                List<Fork> f = forks.get(family[0] + kind[0] + "|" + kind[2]);
                if (f == null) {
                    continue;
                }
                double[] plain = values(f, x -> x.nonAiMean);
                double[] ai = values(f, x -> x.aiMean);
                double[] added = values(f, x -> x.aiMean - x.nonAiMean);
                double[] addedMedian = values(f, x -> x.aiMedian - x.nonAiMedian);
                double[] addedCpu = values(f, x -> x.aiCpu - x.nonAiCpu);
                out.printf(Locale.ROOT, "| %s | %s | %.1f ± %.1f µs | %.1f ± %.1f µs | %+.1f ± %.1f µs | %+.1f ± %.1f µs | %+.1f ± %.1f µs | %s |%n",
                        family[1], kind[1], average(plain), halfWidth(plain), average(ai), halfWidth(ai),
                        average(added), halfWidth(added), average(addedMedian), halfWidth(addedMedian),
                        average(addedCpu), halfWidth(addedCpu),
                        kind[2].equals("none") ? "" : aiVerdict(kind[0], average(added), halfWidth(added),
                                average(plain)));
            }
        }
        out.println();
    }

    private void allocationTable(PrintWriter out) {
        out.println("**Allocated per call on the calling thread** (mean over forks): not moved by the machine's load."
                + " The JDK client reads response bodies on its own threads, so aierr's reading of a JDK response is"
                + " not in it.");
        out.println();
        out.println("| client | call | set-up | non-AI call | AI call | AI - non-AI |");
        out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Fork>> e : forks.entrySet()) {
            String[] key = e.getKey().split("\\|");
            double plain = average(values(e.getValue(), f -> f.nonAiAlloc));
            double ai = average(values(e.getValue(), f -> f.aiAlloc));
            out.printf(Locale.ROOT, "| %s | %s | %s | %,.0f B | %,.0f B | %+,.0f B |%n", familyLabel(key[0]),
                    callLabel(key[0]), key[1], plain, ai, ai - plain);
        }
        out.println();
    }

    private void forkTable(PrintWriter out) {
        out.println("**Each fork** (mean per call in µs, non-AI / AI, by round):");
        out.println();
        StringBuilder head = new StringBuilder("| benchmark | set-up |");
        for (int r = 1; r <= rounds; r++) {
            head.append(" round ").append(r).append(" |");
        }
        out.println(head);
        out.println("|---|---|" + "---|".repeat(rounds));
        for (Map.Entry<String, List<Fork>> e : forks.entrySet()) {
            String[] key = e.getKey().split("\\|");
            StringBuilder row = new StringBuilder("| " + key[0] + " | " + key[1] + " |");
            for (Fork f : e.getValue()) {
                row.append(String.format(Locale.ROOT, " %.1f / %.1f |", f.nonAiMean, f.aiMean));
            }
            out.println(row);
        }
        out.println();
    }

    private void reading(Map<String, double[]> hooks, PrintWriter out) {
        out.println("**Reading** (generated from the numbers above):");
        out.println();
        for (String[] variant : new String[][] {{"NonAiOnly", "in a JVM that makes no AI call"},
                                                 {"2k", "in a JVM that also makes AI calls"}}) {
            for (Metric metric : Metric.values()) {
                List<String> shown = new ArrayList<>();
                List<String> notShown = new ArrayList<>();
                for (String[] family : FAMILIES) {
                    List<Fork> base = forks.get(family[0] + "NonAiOnly|none");
                    List<Fork> with = forks.get(family[0] + variant[0] + "|aierr");
                    if (base == null || with == null) {
                        continue;
                    }
                    Stats s = crossFork(base, with, metric);
                    String text = String.format(Locale.ROOT, "%s %+.1f %% (%+.1f to %+.1f %%)", family[0],
                            (s.ratio() - 1) * 100, (s.ratioLow() - 1) * 100, (s.ratioHigh() - 1) * 100);
                    (s.ratioHigh() <= 1.01 ? shown : notShown).add(text);
                }
                if (shown.isEmpty() && notShown.isEmpty()) {
                    continue;
                }
                out.printf(Locale.ROOT, "- Non-AI call %s, %s, with against without aierr: ≤ 1 %% shown for %d of %d"
                        + " clients%s%s.%n", variant[1], metric.label, shown.size(), shown.size() + notShown.size(),
                        shown.isEmpty() ? "" : " (" + String.join("; ", shown) + ")",
                        notShown.isEmpty() ? "" : "; not shown for " + String.join("; ", notShown));
            }
        }
        if (!hooks.isEmpty()) {
            double most = 0;
            for (double[] s : hooks.values()) {
                most = Math.max(most, s[0]);
            }
            out.printf(Locale.ROOT, "- What aierr does on a non-AI call, measured alone: at most %.0f ns per hooked method.%n",
                    most);
        }
        for (String[] kind : new String[][] {{"2k", "AI call answered 200, 2 KiB"}, {"1m", "AI 1 MiB upload"},
                                              {"Error", "AI call answered 400"}}) {
            List<String> parts = new ArrayList<>();
            for (String[] family : FAMILIES) {
                List<Fork> f = forks.get(family[0] + kind[0] + "|aierr");
                if (f != null) {
                    double[] added = values(f, x -> x.aiMean - x.nonAiMean);
                    parts.add(String.format(Locale.ROOT, "%s %+.1f µs (%+.1f to %+.1f)", family[0], average(added),
                            average(added) - halfWidth(added), average(added) + halfWidth(added)));
                }
            }
            if (!parts.isEmpty()) {
                out.println("- " + kind[1] + ", mean added per call: " + String.join("; ", parts)
                        + (kind[0].equals("2k") ? " (target: ≤ 50 µs)." : "."));
            }
        }
    }

    private static String familyLabel(String benchmark) {
        for (String[] family : FAMILIES) {
            String rest = benchmark.startsWith(family[0]) ? benchmark.substring(family[0].length()) : "";
            if (rest.equals("2k") || rest.equals("1m") || rest.equals("Error") || rest.equals("NonAiOnly")) {
                return family[1];
            }
        }
        return benchmark;
    }

    private static String callLabel(String benchmark) {
        return benchmark.endsWith("NonAiOnly") ? "2 KiB, non-AI only" : benchmark.endsWith("2k") ? "200, 2 KiB"
                : benchmark.endsWith("1m") ? "200, 1 MiB upload" : "400, 2 KiB";
    }

    private String nonAiVerdict(Stats s) {
        boolean insideNoise = s.added - s.addedCi <= 0 && s.added + s.addedCi >= 0;
        String noise = String.format(Locale.ROOT, "±%.1f %%", s.addedCi / s.without * 100);
        if (s.ratioHigh() <= 1.01) {
            return (insideNoise ? "within noise (" + noise + ")" : "above noise") + "; ≤ 1 % shown";
        }
        if (insideNoise) {
            return "within noise, but the noise (" + noise + ") is wider than 1 %: ≤ 1 % not shown";
        }
        return String.format(Locale.ROOT, "%+.1f %%, outside the noise (%s)", (s.ratio() - 1) * 100, noise);
    }

    private static String aiVerdict(String kind, double added, double ci, double plain) {
        if (kind.equals("2k")) {
            return added + ci <= 50 ? "≤ 50 µs shown" : added - ci > 50 ? "> 50 µs"
                    : "≤ 50 µs not shown: the interval spans 50 µs";
        }
        return String.format(Locale.ROOT, "%+.1f %% of the non-AI call", added / plain * 100);
    }

    /** Non-AI calls of one benchmark, with against without aierr, paired by round. */
    private static final class Stats {
        double without;
        double withoutCi;
        double with;
        double withCi;
        double added;
        double addedCi;

        double ratio() {
            return with / without;
        }

        double ratioLow() {
            return 1 + (added - addedCi) / without;
        }

        double ratioHigh() {
            return 1 + (added + addedCi) / without;
        }
    }

    /** What is compared of the non-AI calls. */
    private enum Metric {
        MEAN("mean time"), MEDIAN("median time"), CPU("CPU time of the calling thread");

        final String label;

        Metric(String label) {
            this.label = label;
        }

        /** The fork's non-AI calls; in a NonAiOnly fork both kinds of call are. */
        double of(Fork f) {
            double nonAi = this == MEAN ? f.nonAiMean : this == MEDIAN ? f.nonAiMedian : f.nonAiCpu;
            if (!f.benchmark.endsWith("NonAiOnly")) {
                return nonAi;
            }
            double other = this == MEAN ? f.aiMean : this == MEDIAN ? f.aiMedian : f.aiCpu;
            return (nonAi + other) / 2;
        }
    }

    private Stats crossFork(List<Fork> base, List<Fork> with, Metric metric) {
        int n = Math.min(base.size(), with.size());
        double[] b = new double[n];
        double[] a = new double[n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = metric.of(base.get(i));
            a[i] = metric.of(with.get(i));
            d[i] = a[i] - b[i];
        }
        Stats s = new Stats();
        s.without = average(b);
        s.withoutCi = halfWidth(b);
        s.with = average(a);
        s.withCi = halfWidth(a);
        s.added = average(d);
        s.addedCi = halfWidth(d);
        return s;
    }

    private static double[] values(List<Fork> forks, ToDoubleFunction<Fork> f) {
        return forks.stream().mapToDouble(f).toArray();
    }

    private static double average(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Half-width of the 95 % confidence interval of the mean of {@code v}. */
    private static double halfWidth(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = average(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        double sd = Math.sqrt(ss / (v.length - 1));
        return new TDistribution(v.length - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(v.length);
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Paths.get("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
