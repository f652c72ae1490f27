#!/usr/bin/env bash
# Startup cost of attaching aierr, next to the OpenTelemetry Java agent's, for three hello-worlds
# (JDK client, OkHttp 4, HttpClient 5) that start a local server, make one GET and exit. Runs are
# paired: each round runs every set-up once, in turn, so that the machine's load hits all alike;
# the table gives medians, the time each agent adds (median minus the no-agent median) and aierr's
# added time as a share of the OpenTelemetry agent's. Also counts the classes each set-up loads.
# Writes bench/results/startup.md.
#   bash bench/startup.sh [rounds]        (needs: mvn -B -DskipTests package first)
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-11}
jar=../agent/target/aierr.jar
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }
mkdir -p target/classes results
cp=target/clients.classpath
[ -s "$cp" ] || mvn -B -q -f clients-pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$cp" >/dev/null
classpath="target/classes:$(cat "$cp")"
javac -cp "$classpath" -d target/classes src/HelloAi.java
otel=target/opentelemetry-javaagent.jar
if [ ! -f "$otel" ]; then
  mvn -B -q dependency:copy -Dartifact=io.opentelemetry.javaagent:opentelemetry-javaagent:2.33.0 \
    -DoutputDirectory=target -Dmdep.stripVersion=true >/dev/null 2>&1 || true
fi
[ -f "$otel" ] || { echo "the OpenTelemetry agent jar could not be fetched into bench/$otel" >&2; exit 1; }

# set-ups: label | java arguments before the class path (AIERR and OTEL stand for the jars)
setups=(
  "no agent|"
  "aierr, non-AI GET|-javaagent:AIERR"
  "aierr, AI GET|-javaagent:AIERR -Daierr.endpoints=localhost=openai"
  "OpenTelemetry agent (exporters none), non-AI GET|-javaagent:OTEL -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none"
)
args_of() { local a=${1#*|}; a=${a//AIERR/$jar}; echo "${a//OTEL/$otel}"; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | sed -n "$(( (rounds + 1) / 2 ))p"; }

table() { # client -> rows
  local client=$1 i r
  declare -A times
  for r in $(seq "$rounds"); do
    for i in "${!setups[@]}"; do
      local mode=plain; [[ ${setups[$i]} == *"AI GET|"* && ${setups[$i]} != *non-AI* ]] && mode=ai
      # shellcheck disable=SC2046
      times[$i]+="$(ms java $(args_of "${setups[$i]}") -cp "$classpath" HelloAi "$client" "$mode") "
    done
  done
  local base otel_added
  base=$(printf '%s\n' ${times[0]} | median)
  otel_added=$(( $(printf '%s\n' ${times[3]} | median) - base ))
  for i in "${!setups[@]}"; do
    local label=${setups[$i]%%|*} med classes mode=plain
    [[ $label == *"AI GET"* && $label != *non-AI* ]] && mode=ai
    med=$(printf '%s\n' ${times[$i]} | median)
    # shellcheck disable=SC2046
    classes=$(java -Xlog:class+load=info $(args_of "${setups[$i]}") -cp "$classpath" HelloAi "$client" "$mode" 2>/dev/null | grep -c 'class,load' || true)
    if [ "$i" = 0 ]; then
      printf '| %s | %s | %d ms | | | %d |\n' "$client" "$label" "$med" "$classes"
    else
      awk -v c="$client" -v l="$label" -v m="$med" -v b="$base" -v o="$otel_added" -v k="$classes" \
        'BEGIN{printf "| %s | %s | %d ms | +%d ms | %.3f | %d |\n", c, l, m, m-b, (m-b)/o, k}'
    fi
  done
}

{
  echo "# Startup: hello-world + one GET, per client"
  echo
  echo "\`bash bench/startup.sh $rounds\`: $rounds paired rounds on $(nproc) cores, $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(date -u +%Y-%m-%d)."
  echo "aierr.jar $(du -k "$jar" | cut -f1) KiB at its defaults (exporter otlp, nothing listening). Added = median minus the no-agent median;"
  echo "share = added time as a share of the OpenTelemetry agent's added time (target for aierr: at most 0.10)."
  echo
  echo "| client | set-up | median wall time | added | share of OTel agent's | classes loaded |"
  echo "|---|---|---|---|---|---|"
  for client in jdk okhttp hc5; do table "$client"; done
} | tee results/startup.md
