#!/usr/bin/env bash
# Whether aierr paces async first attempts: the rate-limit benchmark's token bucket (R requests/s,
# burst B), C async chains x N calls (each call started when the previous one completes) through
# JDK sendAsync, OkHttp enqueue and HttpClient 5 async under aierr, for hinted and bare 429s; the
# JDK's sync send beside them as the paced reference. Each row in its own JVM.
# Writes bench/results/async-pacing.md (or OUT).
#   bash bench/async-pacing.sh [quick]        (needs: mvn -B -DskipTests package first)
# Settings from the environment: OUT, CLIENTS ('jdk jdk-async okhttp-async hc5-async'), MODES
# ('hinted bare'), RATE (20), BURST (5), SERVICE_MS (20), DEADLINE (90 s), ROW_TIMEOUT (DEADLINE + 90 s).
set -euo pipefail
cd "$(dirname "$0")"
jar=$(realpath ../agent/target/aierr.jar 2>/dev/null || true)
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }

quick=false
case ${1:-} in
  quick) quick=true ;;
  '') ;;
  *) echo "usage: bash bench/async-pacing.sh [quick]" >&2; exit 2 ;;
esac
if $quick; then chains=32 calls=3; else chains=32 calls=10; fi
clients=${CLIENTS:-jdk jdk-async okhttp-async hc5-async}
rate=${RATE:-20} burst=${BURST:-5} service=${SERVICE_MS:-20} deadline=${DEADLINE:-90}
row_timeout=${ROW_TIMEOUT:-$((deadline + 90))}

mkdir -p target/sporadic-classes target/async-pacing-logs results
mvn -B -q -f clients-pom.xml dependency:build-classpath -Dmdep.outputFile=target/clients.classpath >/dev/null
cp="target/sporadic-classes:$(cat target/clients.classpath)"
javac -cp "$cp" -d target/sporadic-classes src/RateLimitServer.java src/AsyncPacingLoad.java \
  src/AsyncPacingReport.java src/SporadicLoad.java src/SporadicReport.java src/SporadicServer.java \
  src/ClosedLoad.java src/BenchClient.java src/BenchClients.java

# a stale file from the last run would hand its ports to the loop below before the server writes
rm -f target/async-pacing-server.out
java -cp target/sporadic-classes RateLimitServer "$rate" "$burst" "$service" >target/async-pacing-server.out 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
ai='' control=''
for _ in $(seq 100); do
  read -r _ ai control <target/async-pacing-server.out 2>/dev/null || true
  [ -n "$control" ] && break
  sleep 0.1
done
[ -n "$control" ] || { echo "rate-limit server did not start: $(cat target/async-pacing-server.out)" >&2; exit 1; }

agent=(-javaagent:"$jar" -Daierr.endpoints=127.0.0.1:$ai=openai -Daierr.exporter=none)
row() { # client mode -> one table row
  local client=$1 mode=$2 status=0 log=target/async-pacing-logs/$1-$2.log
  timeout "$row_timeout" java "${agent[@]}" -cp "$cp" AsyncPacingLoad --client "$client" --mode "$mode" \
    --ai-port "$ai" --control-port "$control" --chains "$chains" --calls "$calls" --deadline-seconds "$deadline" \
    2>"$log" || status=$?
  if [ "$status" = 124 ]; then echo "| $client | $mode | did not finish in $row_timeout s, see bench/$log |"
  elif [ "$status" != 0 ]; then echo "| $client | $mode | failed (exit $status), see bench/$log |"; fi
}

rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
{
  echo "# Async pacing: are async first attempts governed like sync ones?$($quick && echo " (quick run)")"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/async-pacing.sh${1:+ $1}\`$([ -n "${CLIENTS:-}" ] && echo " with CLIENTS='$clients'"),"
  echo "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)) shared with other builds, load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at start, $(java -version 2>&1 | head -1); agent jar built"
  echo "$(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at $rev (last commit touching agent/)."
  echo
  echo "Server: bench/src/RateLimitServer.java, OpenAI's /v1/chat/completions behind a token bucket of R = $rate"
  echo "requests/s, B = $burst; a success takes $service ms, a 429 is answered at once. **hinted**: OpenAI's"
  echo "\`x-ratelimit-*-requests\` counters on every answer and the exact \`retry-after-ms\` on a 429; **bare**: no hint."
  echo "Load: $chains chains x $calls calls, released at one instant, each call with a prompt of its own. An async family"
  echo "starts a chain's next call from the completion of the previous one (\`jdk-async\` sendAsync, \`okhttp-async\`"
  echo "enqueue with a dispatcher allowing $chains calls per host, \`hc5-async\` SimpleHttpRequest with its own retry on);"
  echo "\`jdk\` (sync send, a thread per chain) is the paced reference. Every row under"
  echo "\`-javaagent:aierr.jar -Daierr.endpoints=127.0.0.1:<port>=openai -Daierr.exporter=none\`, in its own JVM,"
  echo "after a warm-up outside the limit (3 GET /v1/models per chain)."
  echo
  echo "- **failures**: calls whose final answer to the app was not a 200 (status, with \`x-aierr-refused\` reason, or exception)."
  echo "- **wasted requests**: 429s other than the first wave, as a share of all requests (\"avoidable 429s\" in"
  echo "  ratelimit.md); **first-wave 429s**: 429s to the first request of each chain's first call, sent before"
  echo "  anyone could know the limit (about chains - B). **429s per success**: all 429s / successes."
  echo "- **goodput**: successes / (B + R x window), window = first request's arrival to the last success."
  echo "- **p50, p99**: latency of the app's calls. **load**: 1-minute load average at the row's start → end."
  echo
  echo "Target (issue 10, item 4): 0 failures and 4-8 % wasted requests for every async family."
  for mode in ${MODES:-hinted bare}; do
    echo
    echo "## $mode, $chains chains x $calls calls"
    echo
    java -cp "$cp" AsyncPacingLoad --header x
    for client in $clients; do row "$client" "$mode"; done
  done
  echo
  echo "Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u '+%H:%M UTC')."
} | tee "${OUT:-results/async-pacing.md}"
