# Sourced by the benchmark scripts.
# start_server LABEL OUT CLASSPATH CLASS [ARG...]: starts one of the benchmark's local servers in the
# background, stops it when the script exits, and sets $ai and $control to the two ports it prints once
# listening (`ports <ai> <control>` on its first line of OUT).
start_server() {
  local label=$1 out=$2
  shift 2
  # a stale file from the last run would hand its ports to the loop below before the server writes
  rm -f "$out"
  java -cp "$@" >"$out" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  ai='' control=''
  for _ in $(seq 100); do
    read -r _ ai control <"$out" 2>/dev/null || true
    [ -n "$control" ] && break
    sleep 0.1
  done
  [ -n "$control" ] || { echo "$label did not start: $(cat "$out")" >&2; exit 1; }
}
