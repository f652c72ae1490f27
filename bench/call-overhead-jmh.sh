#!/usr/bin/env bash
# Per-call cost of aierr, measured with JMH: one app call at a time through the JDK HttpClient (send),
# OkHttp 4 (execute) and HttpClient 5 classic (execute) to a loopback server started in the benchmark,
# with and without -javaagent:aierr.jar (aierr.exporter=none). Each operation makes two calls, each timed
# on its own (time, CPU time and allocation of the calling thread). Non-AI call: the NonAiOnly benchmarks
# (both calls to a port aierr.endpoints does not list, an app that makes no AI call), once without and
# once with aierr in each round, back to back, compared paired by round; then HookBench, what aierr does
# for a non-AI call before the client goes on, in nanoseconds. AI call: with aierr, a call to the port
# aierr.endpoints lists as OpenAI against a non-AI call made alongside it in the same JVM: 2 KiB answered
# 200 with a chat completion; a 1 MiB upload (aierr reads the body's first 64 KiB to name the model);
# 2 KiB answered 400 context_length_exceeded (classified, not retried; OkHttp and HttpClient 5).
# Writes bench/results/call-overhead-jmh.md (or OUT).
#   bash bench/call-overhead-jmh.sh [quick] [rounds]    (needs: mvn -B -DskipTests package first)
# Default: 5 rounds of 14 forks, each 10 s warm-up and 2 s measured: about 17 minutes. The JIT needs the
# warm-up on 2 busy cores: after 6 s the AI call's added time still read +65-81 us where 8 s and longer
# read +28-43 us (OkHttp, JDK). quick: 2 rounds, 2 s + 1 s, for trying it out (its numbers are mostly
# warm-up). ROUNDS and WARMUP (seconds) in the environment override the defaults.
set -euo pipefail
cd "$(dirname "$0")"
jar=$(realpath ../agent/target/aierr.jar 2>/dev/null || true)
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }

quick=false rounds=${ROUNDS:-5} warmup=${WARMUP:-10} measure=2
[ "${1:-}" = quick ] && { quick=true; rounds=2 warmup=2 measure=1; shift; }
[ $# -gt 0 ] && rounds=$1
out=${OUT:-results/call-overhead-jmh.md}

mkdir -p results
mvn -o -B -q -f jmh/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath >/dev/null
cp="jmh/target/classes:$(cat jmh/target/jmh.classpath)"
rm -rf jmh/target/jmh-logs

rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
started=$(date -u '+%Y-%m-%d %H:%M UTC') load_start=$(cut -d' ' -f1-3 /proc/loadavg)
java -cp "$cp" io.aierr.bench.PairedRuns --jar "$jar" --out jmh/target/paired.md --logs jmh/target/jmh-logs \
  --rounds "$rounds" --warmup "$warmup" --measure "$measure"
{
  echo "# Per-call cost, JMH: each client family with and without aierr$($quick && echo " (quick run)")"
  echo
  echo "$started, \`bash bench/call-overhead-jmh.sh$([ -n "${*:-}" ] && echo " $*")\`$($quick && echo " (quick)"),"
  echo "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)) shared with other builds, load average"
  echo "$load_start at start and $(cut -d' ' -f1-3 /proc/loadavg) at the end ($(date -u '+%H:%M UTC')),"
  echo "$(java -version 2>&1 | head -1), JMH 1.37; agent jar built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC')"
  echo "from agent/ at $rev (last commit touching agent/)."
  echo
  echo "Set-up: one thread calls back to back through one client (JDK \`HttpClient\` HTTP/1.1, OkHttp 4.12.0,"
  echo "HttpClient 5.6.5 classic with its default retry strategy) against the JDK's HTTP server on two loopback ports"
  echo "in the same JVM (\`sun.net.httpserver.nodelay=true\`), each operation one call to each port in alternating"
  echo "order. **aierr**: \`-javaagent:aierr.jar -Daierr.endpoints=127.0.0.1:<AI port>=openai -Daierr.exporter=none\`;"
  echo "**none**: no agent. Each fork \`-Xms512m -Xmx512m\`. Sources: \`bench/jmh/src/main/java/io/aierr/bench/\`"
  echo "(\`CallBench\`, \`CallProfiler\`, \`HookBench\`, \`PairedRuns\`)."
  echo
  cat jmh/target/paired.md
} | tee "$out"
