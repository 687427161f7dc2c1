#!/usr/bin/env bash
# Runs every test: Java unit + integration + end-to-end (mvn verify, with a real MinIO server
# and DuckDB), then the notebooks against the demo's lake and a synthetic multi-week lake.
# Installs what it needs itself: the MinIO server (go install, cached), a Python venv (cached).
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)

echo "==> MinIO server binary (built once, cached)"
MINIO_BIN=$(scripts/minio.sh ensure)
export MINIO_BIN

echo "==> Redis server (the budget-store tests; apt-get install once)"
REDIS_BIN=$(scripts/redis.sh ensure)
export REDIS_BIN

# install, not just verify: the fuzzing step below runs one module on its own and resolves the
# project's other modules from the local repository, which on a fresh machine holds none of them.
echo "==> Java: mvn -B install (unit, integration, end-to-end)"
mvn -B install

echo "==> fuzzing the collector's decoders (Jazzer, 30 s per target)"
FLOWCOST_SKIP_BUILD=1 scripts/fuzz.sh

mkdir -p target
echo "==> demo lake for the notebook tests"
FLOWCOST_SKIP_BUILD=1 FLOWCOST_DEMO_LAKE="$PWD/target/demo-lake" \
  FLOWCOST_DEMO_DATA="$PWD/target/demo-data" scripts/demo.sh > target/demo-run.log 2>&1 \
  || { cat target/demo-run.log; exit 1; }
tail -n 25 target/demo-run.log

echo "==> notebooks"
FLOWCOST_TEST_LAKE="$PWD/target/demo-lake" \
  FLOWCOST_TEST_EXCHANGES="$PWD/target/demo-data/fake-provider-exchanges.json" \
  scripts/notebooks-test.sh
FLOWCOST_TEST_LAKE="$PWD/target/demo-lake" scripts/spark-test.sh  # Spark (local mode) reads it too

echo "==> all tests passed in $(( $(date +%s) - START )) s"
