#!/usr/bin/env bash
# Per-call cost of aierr on the JDK client: the same loop of local POSTs with and without the
# agent, for a call to a non-AI host and to a host listed as an AI endpoint, in one run.
# Writes bench/results/call-overhead.md.    bash bench/call-overhead.sh
# With COORDINATION=redis://host:port, one more row: the AI endpoint with its limits shared through
# that Redis (aierr.coordination).
set -euo pipefail
cd "$(dirname "$0")"
jar=../agent/target/aierr.jar
[ -f "$jar" ] || { echo "build the agent first: mvn -B -DskipTests package" >&2; exit 1; }
mkdir -p target/classes results
javac -d target/classes src/CallOverhead.java
agent=(-javaagent:$jar -Daierr.endpoints=localhost=openai -Daierr.exporter=none -Daierr.summary=false)
measure() { java "$@" -cp target/classes CallOverhead 127.0.0.1 2>/dev/null | tail -1; }
row() { # label, "median p99", base median
  local m p
  read -r m p <<<"$2"
  printf '| %s | %s µs | %s µs | %s |\n' "$1" "$m" "$p" "$(awk -v a="$m" -v b="$3" 'BEGIN{printf "%.2f", a/b}')"
}
{
  echo "# Per-call cost: sequential JDK-client POSTs to a local server (200 OK)"
  echo
  echo "3000 warm-up calls, then 5000 measured; $(nproc) cores, $(date -u +%Y-%m-%d), $(java -version 2>&1 | head -1)."
  echo
  echo "| set-up | median | p99 | median ratio to no agent |"
  echo "|---|---|---|---|"
  base=$(measure)
  row "no agent" "$base" "${base%% *}"
  row "aierr, non-AI host" "$(measure "${agent[@]}")" "${base%% *}"
  base_ai=$(java -cp target/classes CallOverhead localhost 2>/dev/null | tail -1)
  row "no agent, localhost" "$base_ai" "${base_ai%% *}"
  row "aierr, AI endpoint (classified, traced)" "$(java "${agent[@]}" -cp target/classes CallOverhead localhost 2>/dev/null | tail -1)" "${base_ai%% *}"
  if [ -n "${COORDINATION:-}" ]; then
    row "aierr, AI endpoint, limits shared through Redis" \
      "$(java "${agent[@]}" -Daierr.coordination="$COORDINATION" -cp target/classes CallOverhead localhost 2>/dev/null | tail -1)" \
      "${base_ai%% *}"
  fi
} | tee results/call-overhead.md
