#!/usr/bin/env bash
# How much of a token limit each client gets: a local OpenAI-format endpoint that charges each request
# max(max_tokens, body chars / 4) against a token bucket (R tokens/s, burst B), driven by closed loops of
# calls with varied token limits through app-side clients and through the aierr agent, each row in its own
# JVM, for hinted and bare 429s. Writes bench/results/tokens.md.
#   bash bench/tokens.sh [quick] [--agent 'FLAGS']...    (needs: mvn -B -DskipTests package first)
# Each --agent adds a row per table: the plain app under the agent with FLAGS added, e.g.
#   --agent '-Daierr.retry.max-attempts=10'; a word ending in .jar in FLAGS names another agent jar for
#   that row (e.g. one built from main), so before and after compare in one run.
# Settings from the environment: TOKEN_RATE (10000), TOKEN_BURST (10000), REQUEST_RATE (1000),
# REQUEST_BURST (10000), SERVICE_MS (20), SEED (11), ROW_TIMEOUT (180 s), MODES ('hinted bare'),
# LOADS ('spread mixed': load A, load B).
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
    *) echo "usage: bash bench/tokens.sh [quick] [--agent 'FLAGS']..." >&2; exit 2 ;;
  esac
  shift
done
rate=${TOKEN_RATE:-10000} burst=${TOKEN_BURST:-10000} request_rate=${REQUEST_RATE:-1000}
request_burst=${REQUEST_BURST:-10000} service=${SERVICE_MS:-20} seed=${SEED:-11} row_timeout=${ROW_TIMEOUT:-180}
if $quick; then threads=32 calls=3; else threads=32 calls=10; fi

mkdir -p target/tokens-classes target/tokens-logs results
mvn -B -q -f pom.xml dependency:build-classpath -Dmdep.outputFile=target/sdk.classpath >/dev/null
cp="target/tokens-classes:$(cat target/sdk.classpath)"
javac -cp "$cp" -d target/tokens-classes src/TokenLimitServer.java src/RateLimitServer.java src/RateLimitLoad.java \
  src/RateLimitReport.java src/LoadShape.java src/TokenAsks.java src/ChatCaller.java src/PlainChatCaller.java \
  src/NaiveBackoffChatCaller.java src/OpenAiSdkChatCaller.java

start_server "token-limit server" target/tokens-server.out target/tokens-classes TokenLimitServer \
  "$rate" "$burst" "$request_rate" "$request_burst" "$service"

agent_flags=(-Daierr.endpoints=127.0.0.1:$ai=openai -Daierr.exporter=none)
row() { # mode asks label client [jvm args...] -> one table row
  local mode=$1 asks=$2 label=$3 client=$4 status=0
  shift 4
  local log=target/tokens-logs/$mode-$asks-$(echo "$label" | tr -c 'a-zA-Z0-9.\n' '-').log
  timeout "$row_timeout" java "$@" -cp "$cp" RateLimitLoad --client "$client" --label "$label" \
    --ai-port "$ai" --control-port "$control" --mode "$mode" --shape threads --threads "$threads" --calls "$calls" \
    --asks "$asks" --seed "$seed" 2>"$log" || status=$?
  if [ "$status" = 124 ]; then echo "| $label | did not finish in $row_timeout s, see bench/$log |"
  elif [ "$status" != 0 ]; then echo "| $label | failed (exit $status), see bench/$log |"; fi
}
agent_row() { # mode asks client label variant-flags -> an app under the agent
  local mode=$1 asks=$2 client=$3 label=$4 use_jar=$jar jar_word='' extra=()
  for word in $5; do
    if [[ $word == *.jar ]]; then use_jar=$(cd "$here" && realpath "$word") jar_word=$word; else extra+=("$word"); fi
  done
  # another build's jar is also called aierr.jar: then the path as given tells the rows apart
  if [ "$use_jar" != "$jar" ]; then
    if [ "$(basename "$use_jar")" = aierr.jar ]; then label="$label ($jar_word)"; else label="$label ($(basename "$use_jar"))"; fi
  fi
  if [ ${#extra[@]} -gt 0 ]; then label="$label \`${extra[*]}\`"; else label="$label (defaults)"; fi
  row "$mode" "$asks" "$label" "$client" -javaagent:"$use_jar" "${agent_flags[@]}" "${extra[@]}"
}
table() { # mode asks
  java -cp "$cp" RateLimitLoad --header threads --asks "$2"
  row "$1" "$2" "no retry (app sees 429s)" plain
  row "$1" "$2" "openai-java 4.101.0 (2 retries)" sdk
  agent_row "$1" "$2" plain aierr ""
  agent_row "$1" "$2" sdk "openai-java + aierr" ""
  agent_row "$1" "$2" plain aierr "-Daierr.ratelimit.tokens=false"
  for v in ${variants[@]+"${variants[@]}"}; do agent_row "$1" "$2" plain aierr "$v"; done
}

rev=$(git -C .. log -1 --format='%h' -- agent)
git -C .. diff --quiet HEAD -- agent || rev="$rev + uncommitted changes"
{
  echo "# Token limit: how much of a token bucket each client gets$($quick && echo " (quick run)")"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at start, $(java -version 2>&1 | head -1); agent jar built"
  echo "$(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at $rev (last commit touching agent/)."
  echo
  echo "Server (bench/src/TokenLimitServer.java): OpenAI's /v1/chat/completions behind a token bucket of R = $rate"
  echo "tokens/s, B = $burst, that charges an admitted request max(\`max_tokens\` or \`max_completion_tokens\`, body"
  echo "chars / 4); a request limit of $request_burst ($request_rate/s refill) never binds. A success takes $service ms and its"
  echo "\`usage\` says prompt_tokens = chars / 4, completion_tokens = max_tokens / 2; a request whose cost does not"
  echo "fit gets a 429 at once, charged nothing, with OpenAI's token-limit body (\`\"type\":\"tokens\"\`,"
  echo "\`\"code\":\"rate_limit_exceeded\"\`). **hinted**: every response carries exact \`x-ratelimit-{limit,remaining,reset}-tokens\`"
  echo "and \`-requests\` (reset = until the bucket is full, as \`1.25s\`), and a 429 \`retry-after-ms\` = the time until"
  echo "*that* request's cost fits, also in its message (\"Limit $burst, Used 9800, Requested 750. Please try again"
  echo "in 55ms.\"). **bare**: no hint headers, no numbers in the message."
  echo
  echo "Loads, $threads threads x $calls calls back to back, released at one instant; what each call slot asks for is"
  echo "drawn once from seed $seed (bench/src/TokenAsks.java), the same in every row. **A (spread)**: max_tokens"
  echo "uniform over 100-1000, short prompt. **B (mixed)**: 90 % small calls (max_tokens 50-300), 5 % max_tokens"
  echo "8,000, 5 % a 16,000-char prompt (~4,000 tokens) with max_tokens 200: big calls that only fit a nearly full"
  echo "bucket, among small ones that take their place unless someone keeps the order."
  echo
  echo "Clients, each in its own JVM after a warm-up outside the limit (GET /v1/models, one connection per thread):"
  echo "the plain app (java.net.http, one shared client, sync \`send\`, no retries, sends \`max_tokens\`); the OpenAI"
  echo "Java SDK 4.101.0 (OkHttp, 2 retries, sends \`max_completion_tokens\`) at its defaults; each of them with"
  echo "\`-javaagent:aierr.jar -Daierr.endpoints=127.0.0.1:<port>=openai -Daierr.exporter=none\` and the flags shown."
  echo
  echo "- **token goodput**: tokens charged for the successes answered in the window / (B + R x window), window ="
  echo "  first request's arrival to the last success. 100 % = every token the limit released became a success;"
  echo "  a client that fails calls fast can score high over a short window."
  echo "- **first-wave 429s**: 429s to each thread's first call's first attempt, sent before any client could know"
  echo "  of the limit. **avoidable 429s**: all other 429s / all requests. **429s per success**: all 429s / successes."
  echo "- **app-visible failures**: calls whose final answer to the app was not a 200 (status or exception)."
  echo "  **p50, p99**: latency of the app's calls as it saw them, failures included."
  echo
  echo "Target for the agent: 0 app-visible failures, token goodput >= 95 %, avoidable 429s <= 5 %, in both modes."
  for mode in ${MODES:-hinted bare}; do
    for asks in ${LOADS:-spread mixed}; do
      echo
      if [ "$asks" = spread ]; then echo "## $mode, load A (spread): $threads x $calls, max_tokens 100-1000"
      else echo "## $mode, load B (mixed): $threads x $calls, 5 % max_tokens 8,000, 5 % long prompts, 90 % small"; fi
      echo
      table "$mode" "$asks"
    done
  done
} | tee results/tokens.md
