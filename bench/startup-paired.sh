#!/usr/bin/env bash
# Startup of one aierr.jar against another (e.g. before and after a change): for each set-up the two
# jars run alternately, N pairs, so that a machine's load hits both alike; prints the median wall time
# of each and aierr's added startup (median minus the no-agent median) for both.
#   bash bench/startup-paired.sh BEFORE.jar AFTER.jar [pairs] [opentelemetry-javaagent.jar]
set -euo pipefail
cd "$(dirname "$0")"
before=$(realpath "$1"); after=$(realpath "$2"); pairs=${3:-9}; otel=${4:-}
mkdir -p target/classes
cp=target/clients.classpath; [ -s "$cp" ] || mvn -B -q -f clients-pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$cp" >/dev/null
javac -cp "target/classes:$(cat "$cp")" -d target/classes src/HelloAi.java

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | sed -n "$(( (pairs + 1) / 2 ))p"; }

base_runs=(); for _ in $(seq "$pairs"); do base_runs+=("$(ms java -cp target/classes HelloAi jdk)"); done
base=$(printf '%s\n' "${base_runs[@]}" | median)
echo "| set-up | before | after | added before | added after | change of added |"
echo "|---|---|---|---|---|---|"
echo "| no agent | $base ms | | | | |"
pair() { # label, then java args where JAR stands for the agent jar
  local label=$1; shift
  local b=() a=()
  for _ in $(seq "$pairs"); do
    b+=("$(ms java "${@/JAR/$before}")")
    a+=("$(ms java "${@/JAR/$after}")")
  done
  local mb ma; mb=$(printf '%s\n' "${b[@]}" | median); ma=$(printf '%s\n' "${a[@]}" | median)
  awk -v l="$label" -v b="$mb" -v a="$ma" -v z="$base" 'BEGIN{printf "| %s | %d ms | %d ms | %d ms | %d ms | %+.1f %% |\n", l, b, a, b-z, a-z, ((a-z)-(b-z))*100/(b-z)}'
}
pair "aierr, plain GET (no AI call), otlp" -javaagent:JAR -cp target/classes HelloAi jdk
pair "aierr, AI call, exporter none" -javaagent:JAR -Daierr.exporter=none -Daierr.endpoints=localhost=openai -cp target/classes HelloAi jdk ai
pair "aierr, AI call, OTLP to a closed port" -javaagent:JAR -Dotel.exporter.otlp.endpoint=http://127.0.0.1:9 -Daierr.endpoints=localhost=openai -cp target/classes HelloAi jdk ai
if [ -n "$otel" ]; then
  pair "OpenTelemetry agent + aierr, AI call, exporters to a closed port" -javaagent:"$otel" -javaagent:JAR -Dotel.exporter.otlp.endpoint=http://127.0.0.1:9 -Dotel.metrics.exporter=none -Dotel.logs.exporter=none -Daierr.endpoints=localhost=openai -cp target/classes HelloAi jdk ai
fi
