#!/usr/bin/env bash
# A fleet: replicas of one service sharing one API key, each its own JVM, against one limited local
# server: 4 JVMs x 8 threads x 10 calls, against the request limit of bench/ratelimit.sh (20/s, burst 5)
# and the token limit of bench/tokens.sh (10000 tokens/s, load A), hinted and bare. Compares the
# OpenAI Java SDK alone, aierr with local state (the default) and aierr sharing through Redis.
# Writes bench/results/fleet.md.
#   bash bench/fleet.sh [quick]    (needs: mvn -B -DskipTests package first, and redis-server)
# Settings from the environment: JVMS (4), THREADS (8), CALLS (10), RATE (20), BURST (5),
# TOKEN_RATE (10000), TOKEN_BURST (10000), SERVICE_MS (20), SEED (11), REDIS_PORT (6391),
# ROW_TIMEOUT (180 s), MODES ('hinted bare'), LIMITS ('requests tokens'), ROWS ('sdk local redis'),
# JAR (agent/target/aierr.jar), OUT (results/fleet.md: write a run of some rows elsewhere). Each row's
# server log stays in target/fleet-logs/<mode>-<row>.server (arrival-ns answered-ns status phase call).
set -euo pipefail
cd "$(dirname "$0")"
. ./server.sh
jar=$(realpath "${JAR:-../agent/target/aierr.jar}" 2>/dev/null || true)
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }

jvms=${JVMS:-4} threads=${THREADS:-8} calls=${CALLS:-10}
[ "${1:-}" = quick ] && calls=3
rate=${RATE:-20} burst=${BURST:-5} token_rate=${TOKEN_RATE:-10000} token_burst=${TOKEN_BURST:-10000}
service=${SERVICE_MS:-20} seed=${SEED:-11} redis_port=${REDIS_PORT:-6391} row_timeout=${ROW_TIMEOUT:-180}

mkdir -p target/fleet-classes target/fleet-logs results
mvn -B -q -f pom.xml dependency:build-classpath -Dmdep.outputFile=target/sdk.classpath >/dev/null
cp="target/fleet-classes:$(cat target/sdk.classpath)"
javac -cp "$cp" -d target/fleet-classes src/FleetLoad.java src/RateLimitServer.java src/TokenLimitServer.java \
  src/RateLimitLoad.java src/RateLimitReport.java src/LoadShape.java src/TokenAsks.java src/ChatCaller.java \
  src/PlainChatCaller.java src/NaiveBackoffChatCaller.java src/OpenAiSdkChatCaller.java

redis_dir=$(mktemp -d)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --save '' --appendonly no >"$redis_dir/log" 2>&1 &
redis=$!
stop_all() { kill "${server:-}" "$redis" 2>/dev/null || true; rm -rf "$redis_dir"; }
trap stop_all EXIT
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

fleet_row() { # mode label client load-args [jvm args...] -> one table row for the whole fleet
  local mode=$1 label=$2 client=$3 load=$4 status=0 pids=() n
  shift 4
  local run=target/fleet-logs/$mode-$(echo "$label" | tr -c 'a-zA-Z0-9.\n' '-')
  rm -f "$run".*
  curl -s -X POST "http://127.0.0.1:$control/reset?mode=$mode" >/dev/null
  redis-cli -p "$redis_port" flushall >/dev/null
  for n in $(seq 0 $((jvms - 1))); do
    # shellcheck disable=SC2086 # load is a list of words
    timeout "$row_timeout" java "$@" -Dbench.call-ids-from=$((n * 1000000)) -cp "$cp" FleetLoad --member "$n" \
      --go "$run.go" --records "$run.records-$n" --client "$client" --ai-port "$ai" $load 2>"$run.log-$n" &
    pids+=($!)
  done
  # every replica warmed up, then all start at one instant
  for _ in $(seq 1200); do
    [ "$(find target/fleet-logs -name "$(basename "$run").go.ready-*" | wc -l)" -ge "$jvms" ] && break
    sleep 0.1
  done
  touch "$run.go"
  for n in "${pids[@]}"; do wait "$n" || status=$?; done
  if [ "$status" != 0 ]; then echo "| $label | failed (exit $status), see bench/$run.log-* |"; return; fi
  curl -s "http://127.0.0.1:$control/log" >"$run.server"
  java -cp "$cp" FleetLoad --report "$label" --control-port "$control" "$run".records-*
}
table() { # mode load-args header-args
  # shellcheck disable=SC2086
  java -cp "$cp" RateLimitLoad --header threads $3
  for row in ${ROWS:-sdk local redis}; do
    case $row in
      sdk) fleet_row "$1" "openai-java 4.101.0 alone (2 retries)" sdk "$2" ;;
      local) fleet_row "$1" "aierr, local state" plain "$2" -javaagent:"$jar" "${agent_flags[@]}" ;;
      redis) fleet_row "$1" "aierr + Redis" plain "$2" -javaagent:"$jar" "${agent_flags[@]}" \
        -Daierr.coordination=redis://127.0.0.1:"$redis_port" ;;
    esac
  done
}

rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
{
  echo "# Fleet: $jvms JVMs sharing one key share one limit"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at start, $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f1-3);"
  echo "agent jar built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at $rev (last commit touching agent/)."
  echo
  echo "$jvms JVMs, each $threads threads x $calls calls back to back with one API key, all released at one instant"
  echo "after each warmed up outside the limit: replicas of one service. Servers as in bench/ratelimit.sh"
  echo "(**requests**: R = $rate requests/s, B = $burst) and bench/tokens.sh (**tokens**: R = $token_rate tokens/s,"
  echo "B = $token_burst, load A: max_tokens 100-1000), **hinted** (exact counters and \`retry-after-ms\`) or **bare** (no"
  echo "hint at all). Clients: the OpenAI Java SDK 4.101.0 at its defaults in every JVM; the plain app"
  echo "(java.net.http, no retries) under \`-javaagent:aierr.jar\` with local state (the default) and with"
  echo "\`-Daierr.coordination=redis://127.0.0.1:$redis_port\` (one local redis-server). Columns as in"
  echo "bench/results/ratelimit.md, over the whole fleet: goodput of the server's limit, first-wave 429s"
  echo "(each thread's first call: nobody could know), avoidable 429s (all others / all requests), app-visible"
  echo "failures of all $((jvms * threads * calls)) calls."
  echo
  echo "Target with Redis: 0 failures, goodput >= 95 %, avoidable 429s <= 5 %, fewer 429s than local."
  echo "Without Redis: 0 failures with exact hints."
  for limit in ${LIMITS:-requests tokens}; do
    if [ "$limit" = requests ]; then
      start_server "rate-limit server" target/fleet-server.out target/fleet-classes RateLimitServer \
        "$rate" "$burst" "$service"
      load="--threads $threads --calls $calls" header=""
    else
      start_server "token-limit server" target/fleet-server.out target/fleet-classes TokenLimitServer \
        "$token_rate" "$token_burst" 1000 10000 "$service"
      load="--threads $threads --calls $calls --asks spread --seed $seed" header="--asks spread"
    fi
    trap stop_all EXIT
    agent_flags=(-Daierr.endpoints=127.0.0.1:$ai=openai -Daierr.exporter=none)
    for mode in ${MODES:-hinted bare}; do
      echo
      echo "## $limit, $mode"
      echo
      table "$mode" "$load" "$header"
    done
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  done
} | tee "${OUT:-results/fleet.md}"
