#!/usr/bin/env bash
# Startup cost of attaching aierr: a JVM that starts a local server, makes one JDK-client GET and
# exits, timed with and without agents, median of N runs each, all in one run of this script so
# the figures compare as ratios. Writes bench/results/startup.md.
#   bash bench/startup.sh [runs]        (needs: mvn -B -DskipTests package first)
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-11}
jar=../agent/target/aierr.jar
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }
mkdir -p target/classes results
javac -d target/classes src/HelloAi.java
otel=target/opentelemetry-javaagent.jar
if [ ! -f "$otel" ]; then
  mvn -B -q dependency:copy -Dartifact=io.opentelemetry.javaagent:opentelemetry-javaagent:2.33.0 \
    -DoutputDirectory=target -Dmdep.stripVersion=true >/dev/null 2>&1 || true
fi

median_ms() { # command... -> median wall time in ms over $runs runs
  local times=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

run_set() { # java binary -> table rows
  local java=$1 label=$2 base
  base=$(median_ms "$java" -cp target/classes HelloAi)
  row() { printf '| %s | %s | %s ms | %s |\n' "$label" "$1" "$2" "$(awk -v a="$2" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"; }
  row "no agent" "$base"
  row "aierr, plain GET (no AI call)" "$(median_ms "$java" -javaagent:$jar -Daierr.exporter=none -cp target/classes HelloAi)"
  row "aierr, AI call, exporter none" "$(median_ms "$java" -javaagent:$jar -Daierr.exporter=none -Daierr.endpoints=localhost=openai -cp target/classes HelloAi ai)"
  row "aierr, AI call, OTLP to a closed port" "$(median_ms "$java" -javaagent:$jar -Dotel.exporter.otlp.endpoint=http://127.0.0.1:9 -Daierr.endpoints=localhost=openai -cp target/classes HelloAi ai)"
  if [ -f "$otel" ]; then
    row "OpenTelemetry Java agent 2.33.0, exporters none" "$(median_ms "$java" -javaagent:$otel -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none -cp target/classes HelloAi)"
  fi
}

{
  echo "# Startup: hello-world + one JDK-client GET"
  echo
  echo "Median of $runs runs on $(nproc) cores, $(date -u +%Y-%m-%d). Agent jar: $(du -k "$jar" | cut -f1) KiB."
  echo
  echo "| JDK | set-up | wall time | ratio to no agent |"
  echo "|---|---|---|---|"
  run_set java "$(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  for j in /usr/lib/jvm/*25*/bin/java; do
    [ -x "$j" ] && run_set "$j" "$("$j" -version 2>&1 | head -1 | cut -d'"' -f2)"
  done
} | tee results/startup.md
