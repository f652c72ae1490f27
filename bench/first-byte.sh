#!/usr/bin/env bash
# What the first-event hold costs: agent-tests FirstByteLatencyTest, the SAME test verify runs once per
# client, here with ROUNDS calls per client in one JVM (the first warms it; the table lists the others),
# without aierr and with it. Every assertion of the verify run holds at every round.
# Writes bench/results/first-byte.md (or OUT).
#   bash bench/first-byte.sh [rounds]        (3 by default; MVN_FLAGS: -o, offline)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
out=${OUT:-bench/results/first-byte.md}
output=agent-tests/target/surefire-reports/io.aierr.tests.FirstByteLatencyTest-output.txt
rm -f "$output"
status=0
# shellcheck disable=SC2086 # MVN_FLAGS is a list of words
mvn -B -q ${MVN_FLAGS:--o} verify -pl agent-tests -am -Dtest=FirstByteLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dlatency.rounds="$rounds" >agent-tests/target/first-byte-mvn.log 2>&1 || status=$?
{
  echo "# First byte after a 200 ms wait for the server's first event"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), \`bash bench/first-byte.sh $rounds\`, $(nproc) cores shared with other builds,"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(java -version 2>&1 | head -1); maven exit $status."
  echo "ms from the call to the app's first byte (first delta for the SDKs), every call of a client but its first (of $rounds):"
  echo
  grep -E '^\|' "$output" 2>/dev/null || echo "(no table: see agent-tests/target/first-byte-mvn.log)"
} | tee "$out"
exit "$status"
