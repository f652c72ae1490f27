#!/usr/bin/env bash
# Per-call cost of aierr on the JDK client, measured as paired rounds: each round runs every set-up
# once, each in its own JVM (warm-up, then sequential POSTs timed in-process); the table gives the
# median over rounds of each JVM's median and p99, and what aierr adds over the same call without
# it. The AI set-ups export OTLP to the benchmark's own server, which answers 200 as a collector.
# Writes bench/results/call-overhead.md.      bash bench/call-overhead.sh [rounds]
# With COORDINATION=redis://host:port, one more row: the 2 KiB AI call with its limits shared through
# that Redis (aierr.coordination), its added time against the same call with local limits.
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-5}
jar=../agent/target/aierr.jar
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }
mkdir -p target/classes results
javac -d target/classes src/CallOverhead.java
port=$((20000 + RANDOM % 20000))
agent=(-javaagent:$jar -Daierr.endpoints=localhost=openai -Daierr.summary=false
       -Dotel.exporter.otlp.endpoint=http://127.0.0.1:$port -Dbench.port=$port)
# set-ups: label | host size body-kind | empty for no agent, or "agent" and extra java arguments;
# a row with the agent shows its added time against the row before it
setups=(
  "2 KiB, non-AI host, no agent|127.0.0.1 2048 string|"
  "2 KiB, non-AI host, aierr|127.0.0.1 2048 string|agent"
  "2 KiB, AI endpoint, no agent|localhost 2048 string|"
  "2 KiB, AI endpoint, aierr (classified, traced, OTLP)|localhost 2048 string|agent"
)
[ -n "${COORDINATION:-}" ] && setups+=("2 KiB, AI endpoint, aierr, limits shared through Redis (added: against local)|localhost 2048 string|agent -Daierr.coordination=$COORDINATION")
setups+=(
  "1 MiB, AI endpoint, no agent|localhost 1048576 string|"
  "1 MiB, AI endpoint, aierr|localhost 1048576 string|agent"
  "1 MiB one-shot upload (fromPublisher), AI endpoint, no agent|localhost 1048576 publisher|"
  "1 MiB one-shot upload (fromPublisher), AI endpoint, aierr (captured for replay)|localhost 1048576 publisher|agent"
)
declare -A med p99
for _ in $(seq "$rounds"); do
  for i in "${!setups[@]}"; do
    IFS='|' read -r _ run with <<<"${setups[$i]}"
    # shellcheck disable=SC2086
    if [ -n "$with" ]; then out=$(java "${agent[@]}" ${with#agent} -cp target/classes CallOverhead $run 2>/dev/null | tail -1)
    else out=$(java -Dbench.port=$port -cp target/classes CallOverhead $run 2>/dev/null | tail -1); fi
    med[$i]+="${out% *} "; p99[$i]+="${out#* } "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"; }
{
  echo "# Per-call cost: sequential JDK-client POSTs to a local server (200 OK)"
  echo
  echo "\`bash bench/call-overhead.sh $rounds\`: $rounds paired rounds, each set-up in its own JVM per round (3000 warm-up"
  echo "calls then 5000 measured; 1 MiB: 300 then 1000); median over rounds of each JVM's median and p99."
  echo "$(nproc) cores, $(date -u +%Y-%m-%d), $(java -version 2>&1 | head -1)."
  echo
  echo "| set-up | median | p99 | added (median) |"
  echo "|---|---|---|---|"
  for i in "${!setups[@]}"; do
    IFS='|' read -r label _ with <<<"${setups[$i]}"
    m=$(median <<<"${med[$i]}"); p=$(median <<<"${p99[$i]}")
    if [ -n "$with" ]; then
      b=$(median <<<"${med[$((i - 1))]}")
      awk -v l="$label" -v m="$m" -v p="$p" -v b="$b" 'BEGIN{printf "| %s | %d µs | %d µs | %+d µs (%+.1f %%) |\n", l, m, p, m-b, (m-b)*100/b}'
    else
      printf '| %s | %d µs | %d µs | |\n' "$label" "$m" "$p"
    fi
  done
} | tee results/call-overhead.md
