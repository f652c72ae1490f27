#!/usr/bin/env bash
# How much of a rate limit each client gets: a local OpenAI-format endpoint behind a token bucket
# (R requests/s, burst B), driven by two load shapes through app-side retry baselines and through
# a plain app under the aierr agent, each row in its own JVM, for hinted and bare 429s.
# Writes bench/results/ratelimit.md.
#   bash bench/ratelimit.sh [quick] [--agent 'FLAGS']...    (needs: mvn -B -DskipTests package first)
# Each --agent adds a row per table: the plain app under the agent with FLAGS added, e.g.
#   --agent '-Daierr.ratelimit.adaptive=true'; a word ending in .jar in FLAGS names another agent
#   jar for that row (e.g. one built from main), so before and after compare in one run.
# Settings from the environment: RATE (20), BURST (5), SERVICE_MS (20), ROW_TIMEOUT (120 s),
# MODES ('hinted bare'; one of them for a faster look).
set -euo pipefail
here=$PWD
cd "$(dirname "$0")"
. ./server.sh
jar=$(realpath ../agent/target/aierr.jar 2>/dev/null || true)
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }

quick=false
variants=()
while [ $# -gt 0 ]; do
  case $1 in
    quick) quick=true ;;
    --agent) variants+=("$2"); shift ;;
    *) echo "usage: bash bench/ratelimit.sh [quick] [--agent 'FLAGS']..." >&2; exit 2 ;;
  esac
  shift
done
rate=${RATE:-20} burst=${BURST:-5} service=${SERVICE_MS:-20} row_timeout=${ROW_TIMEOUT:-120}
if $quick; then threads=32 calls=3 burst_calls=64 trickle_rate=10 trickle_seconds=5
else threads=32 calls=10 burst_calls=64 trickle_rate=10 trickle_seconds=10; fi

mkdir -p target/ratelimit-classes target/ratelimit-logs results
mvn -B -q -f pom.xml dependency:build-classpath -Dmdep.outputFile=target/sdk.classpath >/dev/null
cp="target/ratelimit-classes:$(cat target/sdk.classpath)"
javac -cp "$cp" -d target/ratelimit-classes src/RateLimitServer.java src/RateLimitLoad.java \
  src/RateLimitReport.java src/LoadShape.java src/TokenAsks.java src/ChatCaller.java src/PlainChatCaller.java \
  src/NaiveBackoffChatCaller.java src/OpenAiSdkChatCaller.java

start_server "rate-limit server" target/ratelimit-server.out target/ratelimit-classes RateLimitServer \
  "$rate" "$burst" "$service"

agent_flags=(-Daierr.endpoints=127.0.0.1:$ai=openai -Daierr.exporter=none)
load_args() { # mode shape -> the load generator's arguments
  echo --ai-port "$ai" --control-port "$control" --mode "$1" --shape "$2" --threads "$threads" --calls "$calls" \
    --burst "$burst_calls" --trickle-rate "$trickle_rate" --trickle-seconds "$trickle_seconds"
}
row() { # mode shape label client [jvm args...] -> one table row
  local mode=$1 shape=$2 label=$3 client=$4 status=0
  shift 4
  local log=target/ratelimit-logs/$mode-$shape-$(echo "$label" | tr -c 'a-zA-Z0-9.\n' '-').log
  # shellcheck disable=SC2046 # load_args is a list of words
  timeout "$row_timeout" java "$@" -cp "$cp" RateLimitLoad --client "$client" --label "$label" $(load_args "$mode" "$shape") \
    2>"$log" || status=$?
  if [ "$status" = 124 ]; then echo "| $label | did not finish in $row_timeout s, see bench/$log |"
  elif [ "$status" != 0 ]; then echo "| $label | failed (exit $status), see bench/$log |"; fi
}
agent_row() { # mode shape variant-flags -> the plain app under the agent
  local mode=$1 shape=$2 use_jar=$jar label=aierr extra=()
  for word in $3; do
    if [[ $word == *.jar ]]; then use_jar=$(cd "$here" && realpath "$word"); else extra+=("$word"); fi
  done
  [ "$use_jar" = "$jar" ] || label="$label ($(basename "$use_jar"))"
  if [ ${#extra[@]} -gt 0 ]; then label="$label \`${extra[*]}\`"; else label="$label (defaults)"; fi
  row "$mode" "$shape" "$label" plain -javaagent:"$use_jar" "${agent_flags[@]}" "${extra[@]}"
}
table() { # mode shape
  java -cp "$cp" RateLimitLoad --header "$2"
  row "$1" "$2" "no retry (app sees 429s)" plain
  row "$1" "$2" "naive backoff 0.5 s·2ⁿ, 5 attempts" naive
  row "$1" "$2" "openai-java 4.101.0 (2 retries)" sdk
  agent_row "$1" "$2" ""
  for v in ${variants[@]+"${variants[@]}"}; do agent_row "$1" "$2" "$v"; done
}

drain=$(awk -v b="$burst_calls" -v B="$burst" -v R="$rate" -v r="$trickle_rate" -v d="$trickle_seconds" \
  'BEGIN { t = (b - B) / (R - r); if (t > d) t = (b + r * d - B) / R; printf "%.1f", t }')
rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
{
  echo "# Rate limit: how much of a token bucket each client gets$($quick && echo " (quick run)")"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at start, $(java -version 2>&1 | head -1); agent jar built"
  echo "$(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at $rev (last commit touching agent/)."
  echo
  echo "Server: OpenAI's /v1/chat/completions behind a token bucket, R = $rate requests/s, B = $burst, one token per"
  echo "request; a success takes $service ms, a 429 is answered at once. **hinted**: every response carries"
  echo "\`x-ratelimit-limit-requests\` (B), \`-remaining-requests\`, \`-reset-requests\` (until the bucket is full, as"
  echo "\`50ms\`), and a 429 \`retry-after-ms\` = the exact time until the next token. **bare**: 429s with no hint at"
  echo "all. Shapes: **threads**: $threads threads x $calls calls back to back, released at one instant (a worker"
  echo "pool draining a queue); **burst**: $burst_calls calls at one instant (a batch or fan-out landing) on top of an"
  echo "open-loop trickle of $trickle_rate calls/s for $trickle_seconds s (interactive traffic below the limit, sent on"
  echo "schedule however slow earlier calls are). The burst shows what the threads shape cannot: a first wave"
  echo "twice as wide, whether the trickle is served during the drain, and whether a client is back to full speed"
  echo "once the burst is gone (a perfect client drains it after ~$drain s, trickle p99 ~ the service time)."
  echo
  echo "Clients, each in its own JVM after a warm-up outside the limit (GET /v1/models, one connection per thread):"
  echo "the plain app (java.net.http, one shared client, sync \`send\`, no retries); the same with a hand-written"
  echo "retry on 429/5xx waiting 0.5, 1, 2, 4 s; the OpenAI Java SDK 4.101.0 (OkHttp) at its defaults; the plain"
  echo "app with \`-javaagent:aierr.jar -Daierr.endpoints=127.0.0.1:<port>=openai -Daierr.exporter=none\` and the"
  echo "flags shown."
  echo
  echo "- **goodput**: successes answered in the window / (B + R x window), window = first request's arrival to the"
  echo "  last success (threads: of any call; burst: of a burst call). 100 % = every token the limit released"
  echo "  in the window became a success; a client that fails calls fast can score high over a short window."
  echo "- **first-wave 429s**: 429s to the first attempt of a call started at the opening instant (each thread's"
  echo "  first call; the burst's calls), sent before any client could know of the limit: about threads - B or"
  echo "  burst - B (fewer, or a few more, when those first requests reach the server spread over tens of ms)."
  echo "- **avoidable 429s**: all other 429s / all requests. **429s per success**: all 429s / successes."
  echo "- **app-visible failures**: calls whose final answer to the app was not a 200 (status or exception)."
  echo "  **p50, p99**: latency of the app's calls as it saw them, failures included; **trickle p99** of trickle calls."
  echo
  echo "Target for the agent: 0 app-visible failures, goodput >= 95 %, avoidable 429s <= 5 %, in both modes."
  for mode in ${MODES:-hinted bare}; do
    echo
    echo "## $mode, threads: $threads x $calls"
    echo
    table "$mode" threads
    echo
    echo "## $mode, burst: $burst_calls at once + $trickle_rate/s for $trickle_seconds s"
    echo
    table "$mode" burst
  done
} | tee results/ratelimit.md
