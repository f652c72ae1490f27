#!/usr/bin/env bash
# Sporadic errors with no rate limit behind them: a local OpenAI-format endpoint answers a seeded
# mix (60 % 200, 10 % 429 retry-after-ms 5-50, 5 % 429 bare, 5 % 450 queue full, 5 % 503 no healthy
# upstream, 5 % 429 insufficient_quota, 5 % 400 context_length_exceeded, 5 % slow 64 KiB 200), driven
# by C callers x N calls through each client family, each row in its own JVM: without aierr, with
# aierr at its defaults, and with aierr and -Daierr.ratelimit.gate=false.
# Writes bench/results/sporadic.md (or OUT).
#   bash bench/sporadic.sh [quick] [--agent 'FLAGS']...    (needs: mvn -B -DskipTests package first)
# Each --agent adds a row per client: aierr with FLAGS added, e.g. --agent '-Daierr.retry.enabled=false'.
# Settings from the environment: OUT, CLIENTS (all families), SEED (42), SLOW_MS (200), DEADLINE (120 s;
# no call starts after it), ROW_TIMEOUT (DEADLINE + 90 s).
set -euo pipefail
cd "$(dirname "$0")"
. ./server.sh
jar=$(realpath ../agent/target/aierr.jar 2>/dev/null || true)
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }

quick=false
variants=()
args=''
[ $# -eq 0 ] || args=$(printf ' %q' "$@")
while [ $# -gt 0 ]; do
  case $1 in
    quick) quick=true ;;
    --agent) variants+=("$2"); shift ;;
    *) echo "usage: bash bench/sporadic.sh [quick] [--agent 'FLAGS']..." >&2; exit 2 ;;
  esac
  shift
done
if $quick; then callers=50 calls=10; else callers=200 calls=50; fi
clients=${CLIENTS:-jdk jdk-async okhttp okhttp-async hc4 hc5-noretry hc5 hc5-async-noretry hc5-async}
seed=${SEED:-42} slow=${SLOW_MS:-200} deadline=${DEADLINE:-120}
row_timeout=${ROW_TIMEOUT:-$((deadline + 90))}
# aierr's defaults, which "gave up early" is measured against
max_attempts=5 max_wait_ms=60000

mkdir -p target/sporadic-classes target/sporadic-logs results
mvn -B -q -f clients-pom.xml dependency:build-classpath -Dmdep.outputFile=target/clients.classpath >/dev/null
cp="target/sporadic-classes:$(cat target/clients.classpath)"
javac -cp "$cp" -d target/sporadic-classes src/SporadicServer.java src/SporadicLoad.java src/SporadicReport.java \
  src/ClosedLoad.java src/BenchClient.java src/BenchClients.java

start_server "sporadic server" target/sporadic-server.out target/sporadic-classes SporadicServer "$seed" "$slow"
rm -f target/sporadic-logs/*

agent=(-javaagent:"$jar" -Daierr.endpoints=127.0.0.1:$ai=openai -Daierr.exporter=none)
baseline_of() { # client -> the client whose row without aierr is its time to beat
  case $1 in
    hc5) [[ " $clients " == *" hc5-noretry "* ]] && echo hc5-noretry || echo hc5 ;;
    hc5-async) [[ " $clients " == *" hc5-async-noretry "* ]] && echo hc5-async-noretry || echo hc5-async ;;
    *) echo "$1" ;;
  esac
}
row() { # client set-up wall-flag... -- jvm args... -> one table row
  local client=$1 setup=$2 log status=0 wall=()
  shift 2
  while [ "$1" != -- ]; do wall+=("$1"); shift; done
  shift
  log=target/sporadic-logs/$client-$(echo "$setup" | tr -c 'a-zA-Z0-9.\n' '-').log
  timeout "$row_timeout" java "$@" -cp "$cp" SporadicLoad --client "$client" --set-up "$setup" \
    --ai-port "$ai" --control-port "$control" --seed "$seed" --callers "$callers" --calls "$calls" \
    --deadline-seconds "$deadline" --max-attempts "$max_attempts" --max-wait-ms "$max_wait_ms" "${wall[@]}" \
    2>"$log" || status=$?
  if [ "$status" = 124 ]; then echo "| $client | $setup | did not finish in $row_timeout s, see bench/$log |"
  elif [ "$status" != 0 ]; then echo "| $client | $setup | failed (exit $status), see bench/$log |"; fi
}

rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
{
  echo "# Sporadic errors: what aierr costs when 429s, 450s and 503s come with no limit behind them$($quick && echo " (quick run)")"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/sporadic.sh$args\`$([ -n "${CLIENTS:-}" ] && echo " with CLIENTS='$clients'"),"
  echo "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)) shared with other builds, load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at start, $(java -version 2>&1 | head -1); agent jar built"
  echo "$(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at $rev (last commit touching agent/)."
  echo
  echo "Server: OpenAI's /v1/chat/completions with no rate limit, answering a mix seeded with $seed: 60 % 200 at once,"
  echo "10 % 429 \`rate_limit_exceeded\` with \`retry-after-ms\` 5-50, 5 % the same 429 with no hint, 5 % PAI-EAS 450"
  echo "\`request dropped because the queue is full\`, 5 % Envoy's 503 \`no healthy upstream\`, 5 % 429 \`insufficient_quota\`,"
  echo "5 % 400 \`context_length_exceeded\` (OpenAI's bodies), 5 % 200 with a 64 KiB body written over $slow ms. The answer"
  echo "is a function of (seed, call, attempt), so every row meets the same scripts: call 17's third request gets"
  echo "the same answer in every row."
  echo
  echo "Load: $callers callers x $calls calls back to back, released at one instant, each call with a prompt of its own,"
  echo "through one shared client whose pool (and OkHttp's dispatcher) allows $callers requests to the host at once."
  echo "Sync families run one thread per caller; async ones (\`jdk-async\` sendAsync, \`okhttp-async\` enqueue,"
  echo "\`hc5-async\`) run $callers chains, each call started from the previous one's completion. \`hc5\` and"
  echo "\`hc5-async\` keep HttpClient 5's own retry (429 and 503, once, after 1 s); the \`-noretry\` rows are built with"
  echo "\`disableAutomaticRetries()\`. Set-ups: **none**; **aierr**: \`-javaagent:aierr.jar"
  echo "-Daierr.endpoints=127.0.0.1:<port>=openai -Daierr.exporter=none\`; **gate off**: the same and"
  echo "\`-Daierr.ratelimit.gate=false\`. Each row in its own JVM, after a warm-up of 3 GET /v1/models per caller."
  echo
  echo "- **wall**: release to last answer. **x no aierr**: wall / the wall of the same client without aierr (\`hc5\`:"
  echo "  \`hc5-noretry\`'s, \`hc5-async\`: \`hc5-async-noretry\`'s). **calls/s**: calls answered / wall."
  echo "- **p50, p99**: latency of the app's calls as it saw them, every call included."
  echo "- **200s (of possible)**: calls that ended in 200, and in brackets the calls a perfect retrier of $max_attempts"
  echo "  attempts could end in 200 (the first of their scripted answers that is not 429, 450 or 503 is a 200)."
  echo "- **other final answers**: what the other calls ended with (\`429 quota\` is \`insufficient_quota\`), and calls"
  echo "  still unfinished when the run stopped (no call starts after $deadline s; in-flight ones get 10 s more)."
  echo "- **gave up early**: calls that ended with 429 (not quota), 450 or 503 after fewer than $max_attempts requests"
  echo "  (aierr's max-attempts) and in less than 60 s (its max-wait), by answer and requests sent. Without aierr"
  echo "  nothing retries those (but HttpClient 5 once), so the rows without aierr show every such answer here."
  echo "- **requests**: chat requests the server saw; $(java -cp "$cp" SporadicLoad --ideal "$seed" --calls $((callers * calls)) \
    --max-attempts "$max_attempts"). **refused**: answers carrying \`x-aierr-refused\`, by reason."
  echo "- **load**: 1-minute load average at the row's start → end (the row's own server and $callers callers count in it)."
  echo
  echo "Target (issue 10, item 3): with aierr every client finishes within 2x its time without aierr, and no call"
  echo "gives up early."
  echo
  java -cp "$cp" SporadicLoad --header x
  for client in $clients; do
    row "$client" none --wall-out "target/sporadic-logs/$client.wall" --
    base=target/sporadic-logs/$(baseline_of "$client").wall
    row "$client" aierr --baseline "$base" -- "${agent[@]}"
    row "$client" "gate off" --baseline "$base" -- "${agent[@]}" -Daierr.ratelimit.gate=false
    for v in ${variants[@]+"${variants[@]}"}; do
      # shellcheck disable=SC2086 # FLAGS is a list of words
      row "$client" "aierr \`$v\`" --baseline "$base" -- "${agent[@]}" $v
    done
  done
  echo
  echo "Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u '+%H:%M UTC')."
} | tee "${OUT:-results/sporadic.md}"
