#!/usr/bin/env bash
# Builds Flowcost, starts a collector, runs the demo agent app under -javaagent against a local
# fake LLM provider, stops the collector (SIGTERM flushes and rolls up) and prints the
# per-intent table read back from the Parquet lake. The app ends with a runaway workflow (a tool
# loop the fake provider never lets end) that a per-workflow cap in enforce mode stops; the
# report's "Cap breaches" section shows where it was stopped and what it had cost, and the last
# lines the money the cap saved: the same loop run again without the agent (nothing caps it) to
# the app's own end, priced at list prices, minus what the capped run cost.
#
#   scripts/demo.sh            # lake in ./flowcost-lake, data dir in ./flowcost-data
#   scripts/demo.sh --s3       # lake in s3://flowcost-demo/lake on a local MinIO server that
#                              # scripts/minio.sh starts (and stops when the demo ends)
#   FLOWCOST_SKIP_BUILD=1 scripts/demo.sh   # reuse the jars already built
#
# With --s3 and FLOWCOST_DEMO_MINIO_ENV=FILE (a minio.env written by `scripts/minio.sh start`),
# the demo uses that running server instead and leaves it running (tests read the lake back).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
S3=0
case "${1:-}" in
  "") ;;
  --s3) S3=1 ;;
  *) echo "usage: scripts/demo.sh [--s3]" >&2; exit 2 ;;
esac
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
DIRS=("$LAKE" "$DATA")
[[ $S3 == 1 ]] && DIRS=("$DATA")
for dir in "${DIRS[@]}"; do
  if [[ -d "$dir" && ! -f "$dir/.flowcost-demo" && -n "$(ls -A "$dir")" ]]; then
    echo "$dir exists and was not made by the demo; move it or set FLOWCOST_DEMO_LAKE/FLOWCOST_DEMO_DATA" >&2
    exit 1
  fi
  rm -rf "$dir"; mkdir -p "$dir"; touch "$dir/.flowcost-demo"
done

# --s3: the same demo with the lake on a local MinIO server; `report` reads it via its mirror.
LAKE_ARGS=(--lake "$LAKE")
MINIO_DIR=""
COLLECTOR_PID=""
cleanup() {
  if [[ -n "$COLLECTOR_PID" ]]; then
    kill -TERM "$COLLECTOR_PID" 2>/dev/null || true
  fi
  if [[ -n "$MINIO_DIR" ]]; then
    scripts/minio.sh stop "$MINIO_DIR" || true
    rm -rf "$MINIO_DIR"
  fi
  return 0
}
trap cleanup EXIT
if [[ $S3 == 1 ]]; then
  MINIO_ENV=${FLOWCOST_DEMO_MINIO_ENV:-}
  if [[ -z "$MINIO_ENV" ]]; then
    MINIO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/flowcost-demo-minio.XXXXXX")
    echo "==> starting MinIO (scripts/minio.sh start $MINIO_DIR)"
    scripts/minio.sh start "$MINIO_DIR" >/dev/null
    MINIO_ENV=$MINIO_DIR/minio.env
  fi
  # shellcheck disable=SC1090
  source "$MINIO_ENV"  # ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
  S3_ENDPOINT=$ENDPOINT
  LAKE=s3://flowcost-demo/lake
  LAKE_ARGS=(--lake "$LAKE" --s3-endpoint "$S3_ENDPOINT" --lake-mirror "$DATA/lake-mirror")
  echo "    MinIO at $S3_ENDPOINT"
fi

LOG=$DATA/collector.log
echo "==> starting the collector (lake $LAKE)"
"$JAVA" -jar "$COLLECTOR" serve --port 0 "${LAKE_ARGS[@]}" --data-dir "$DATA" \
  --flush-interval 2s --rollup-delay 1s > "$LOG" 2>&1 &
COLLECTOR_PID=$!
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

# The runaway workflow is capped at 8 model calls (its own end, LangChain4j's limit of 12
# sequential tool rounds, would take 13). Only that workflow name is capped.
RUNAWAY_CAP=${FLOWCOST_DEMO_RUNAWAY_CAP:-max-model-calls=8}
echo "==> running the demo app with -javaagent:flowcost-agent.jar (runaway-agent capped: $RUNAWAY_CAP, enforce)"
"$JAVA" -javaagent:"$AGENT" \
  -Dflowcost.endpoint="$ENDPOINT" -Dflowcost.service=claims-desk -Dflowcost.tags=env=demo \
  -Dflowcost.spool.dir="$DATA/agent-spool" \
  -Dflowcost.caps.runaway-agent="$RUNAWAY_CAP" -Dflowcost.caps.mode=enforce \
  -Dsun.net.httpserver.nodelay=true \
  -jar "$DEMO" --collector "$ENDPOINT" --exchanges "$DATA/fake-provider-exchanges.json" --runaway

echo "==> stopping the collector (SIGTERM: flush everything accepted, roll up)"
kill -TERM $COLLECTOR_PID
wait $COLLECTOR_PID || true
COLLECTOR_PID=""
grep -E "WARNING|SEVERE" "$LOG" >&2 || true

echo "==> per-intent table, read back from the Parquet lake"
REPORT=$DATA/report.txt
"$JAVA" -jar "$COLLECTOR" report "${LAKE_ARGS[@]}" | tee "$REPORT"

# The counterfactual: the fake provider answers deterministically, so the uncapped loop's first
# calls are the capped run's calls and the rest are exactly the calls the cap refused.
echo
echo "==> what the cap saved: the runaway loop again, without the agent, to the app's own end"
UNCAPPED=$("$JAVA" -jar "$DEMO" --runaway-uncapped | grep '^U01 ')
CAPPED=$(grep -E '^  runaway-agent \[claims-desk\] .*: stopped at \$' "$REPORT" | head -1 || true)
if [[ -z "$CAPPED" || -z "$UNCAPPED" ]]; then
  echo "no capped runaway in the report or no uncapped run: nothing to compare" >&2
  exit 1
fi
awk -v u="$UNCAPPED" -v c="$CAPPED" 'BEGIN {
  match(u, /model_calls=[0-9]+/); un = substr(u, RSTART + 12, RLENGTH - 12)
  match(u, /cost_usd=[0-9.]+/); uc = substr(u, RSTART + 9, RLENGTH - 9)
  match(c, /stopped at \$[0-9.]+/); cc = substr(c, RSTART + 12, RLENGTH - 12)
  match(c, /after [0-9]+ model calls/); cn = substr(c, RSTART + 6, RLENGTH - 18)
  printf "    uncapped (no agent):   %3d model calls  $%.6f  (ended by the app: LangChain4j'"'"'s limit of tool rounds)\n", un, uc
  printf "    capped (the lake):     %3d model calls  $%.6f  (max-model-calls, enforce)\n", cn, cc
  share = (uc > 0) ? 100 * (uc - cc) / uc : 0
  printf "    money saved by the cap: %2d model calls  $%.6f  (%.0f%% of the uncapped spend)\n", un - cn, uc - cc, share
}'
