#!/usr/bin/env bash
# Builds Flowcost, starts a collector, runs the demo agent app under -javaagent against a local
# fake LLM provider, stops the collector (SIGTERM flushes and rolls up) and prints the
# per-intent table read back from the Parquet lake.
#
#   scripts/demo.sh            # lake in ./flowcost-lake, data dir in ./flowcost-data
#   FLOWCOST_SKIP_BUILD=1 scripts/demo.sh   # reuse the jars already built
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LAKE=${FLOWCOST_DEMO_LAKE:-$ROOT/flowcost-lake}
DATA=${FLOWCOST_DEMO_DATA:-$ROOT/flowcost-data}
JAVA=${JAVA:-java}

if [[ "${FLOWCOST_SKIP_BUILD:-0}" != "1" ]]; then
  echo "==> building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
AGENT=$ROOT/tracer-agent/target/flowcost-agent.jar
COLLECTOR=$ROOT/collector/target/flowcost-collector.jar
DEMO=$ROOT/examples/demo-app/target/flowcost-demo.jar
for jar in "$AGENT" "$COLLECTOR" "$DEMO"; do
  [[ -f "$jar" ]] || { echo "missing $jar: run without FLOWCOST_SKIP_BUILD" >&2; exit 1; }
done

# The demo owns its lake: refuse to wipe a directory that a real collector wrote.
for dir in "$LAKE" "$DATA"; do
  if [[ -d "$dir" && ! -f "$dir/.flowcost-demo" && -n "$(ls -A "$dir")" ]]; then
    echo "$dir exists and was not made by the demo; move it or set FLOWCOST_DEMO_LAKE/FLOWCOST_DEMO_DATA" >&2
    exit 1
  fi
  rm -rf "$dir"; mkdir -p "$dir"; touch "$dir/.flowcost-demo"
done

LOG=$DATA/collector.log
echo "==> starting the collector (lake $LAKE)"
"$JAVA" -jar "$COLLECTOR" serve --port 0 --lake "$LAKE" --data-dir "$DATA" \
  --flush-interval 2s --rollup-delay 1s > "$LOG" 2>&1 &
COLLECTOR_PID=$!
trap 'kill -TERM $COLLECTOR_PID 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 150); do
  PORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$LOG" | head -1)
  [[ -n "$PORT" ]] && break
  if ! kill -0 $COLLECTOR_PID 2>/dev/null; then cat "$LOG" >&2; exit 1; fi
  sleep 0.2
done
[[ -n "$PORT" ]] || { echo "collector did not start:" >&2; cat "$LOG" >&2; exit 1; }
ENDPOINT=http://127.0.0.1:$PORT
echo "    listening on $ENDPOINT"

echo "==> running the demo app with -javaagent:flowcost-agent.jar"
"$JAVA" -javaagent:"$AGENT" \
  -Dflowcost.endpoint="$ENDPOINT" -Dflowcost.service=claims-desk -Dflowcost.tags=env=demo \
  -Dflowcost.spool.dir="$DATA/agent-spool" \
  -Dsun.net.httpserver.nodelay=true \
  -jar "$DEMO" --collector "$ENDPOINT" --exchanges "$DATA/fake-provider-exchanges.json"

echo "==> stopping the collector (SIGTERM: flush everything accepted, roll up)"
kill -TERM $COLLECTOR_PID
wait $COLLECTOR_PID || true
trap - EXIT
grep -E "WARNING|SEVERE" "$LOG" >&2 || true

echo "==> per-intent table, read back from the Parquet lake"
"$JAVA" -jar "$COLLECTOR" report --lake "$LAKE"
