#!/usr/bin/env bash
# The load, soak and fault suite (agent-tests UnderLoadTest and FaultsTest) at full size: the SAME tests
# CI runs at reduced size, with bigger numbers. Load: 200 callers x 500 calls per client family on the
# LoadScript mix, without aierr (the control) and with it; soak: 10,000 calls per family over 1,100 API
# keys; faults: every family. Every assertion of the CI run holds here too; a failure stops the table.
# Writes bench/results/load.md (or OUT).
#   bash bench/load.sh [full|ci]
# Settings from the environment: OUT, CLIENTS (comma list of families, all by default: jdk, jdk-async,
# okhttp, okhttp-async, hc4, hc5, hc5-async), TESTS (UnderLoadTest,FaultsTest), SEED (15), ADAPTIVE
# (true by default: aierr's adaptive gate on, as it is by default; false turns it off, see UnderLoadTest.withAierr),
# JDK (rotate by default: the families shared out between the default JDK and JDK 25 as in CI; own: all on the
# default JDK; 25: all on JDK 25, see LoadSize.jdk), MVN_FLAGS (-o: offline).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-full}
case $size in full|ci) ;; *) echo "usage: bash bench/load.sh [full|ci]" >&2; exit 2 ;; esac
tests=${TESTS:-UnderLoadTest,FaultsTest}
rows=$PWD/agent-tests/target/load-rows.md
out=${OUT:-bench/results/load.md}
reports=agent-tests/target/surefire-reports
rm -f "$rows" "$reports"/*UnderLoadTest* "$reports"/*FaultsTest*
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
status=0
# shellcheck disable=SC2086 # MVN_FLAGS is a list of words
mvn -B -q ${MVN_FLAGS:--o} verify -pl agent-tests -am -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dload.size="$size" -Dload.report="$rows" -Dload.clients="${CLIENTS:-}" -Dload.seed="${SEED:-15}" \
  -Dload.adaptive="${ADAPTIVE:-true}" -Dload.jdk="${JDK:-rotate}" >agent-tests/target/load-mvn.log 2>&1 || status=$?
took=$(( $(date +%s) - started ))
jar=agent/target/aierr.jar
{
  echo "# Load, soak and faults at $size size"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/load.sh $size\`$([ -n "${CLIENTS:-}" ] && echo " with CLIENTS=$CLIENTS")$([ -n "${TESTS:-}" ] && echo " TESTS=$TESTS"),"
  echo "$(nproc) cores shared with other builds, load average $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at the end,"
  echo "$(java -version 2>&1 | head -1); agent jar built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC') from agent/ at"
  echo "$(git log -1 --format=%h -- agent). Adaptive gate: ${ADAPTIVE:-true}; JDKs: ${JDK:-rotate}; seed ${SEED:-15}. The run took $took s; maven exit $status."
  echo
  echo "Columns: **requests** the server saw with aierr; **wall** of the calls without aierr, then with it; **outcomes**"
  echo "with aierr against the control's rule (success: a 200 whose body came unchanged; same: the control's very"
  echo "answer or exception; refused: a documented copy of an outage); **leased / open** connections at the end"
  echo "(-1: the JDK client does not say; its open connections are counted from the process's sockets once idle"
  echo "ones expired); **threads** live after the warm-up / at the end; **heap** after GC after the warm-up / at the"
  echo "end; spans the local OTLP receiver got."
  echo
  echo "| run | client | size | requests | wall without | wall with | outcomes / state | leased / open | threads | heap | export |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  [ -f "$rows" ] && cat "$rows"
  echo
  echo "Faults (FaultsTest output):"
  echo
  # shellcheck disable=SC2002
  cat "$reports"/io.aierr.tests.FaultsTest-output.txt 2>/dev/null \
    | grep -E '^(reset during|exit by|the same exit|with aierr|without aierr|50 MiB|silent collector)' | sed 's/^/- /' || true
  echo
  echo "Test classes:"
  echo
  grep -h "Tests run" "$reports"/io.aierr.tests.UnderLoadTest.txt "$reports"/io.aierr.tests.FaultsTest.txt 2>/dev/null \
    | sed 's/^/- /' || true
} | tee "$out"
exit "$status"
