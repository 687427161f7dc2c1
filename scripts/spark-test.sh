#!/usr/bin/env bash
# Reads the lake with Spark in local mode (pyspark from PyPI, on the machine's Java 17+) and
# checks its totals against DuckDB's: notebooks/spark_tests.
#
#   FLOWCOST_TEST_LAKE=target/demo-lake scripts/spark-test.sh   # an existing local lake
#   scripts/spark-test.sh                                        # runs the demo for a lake
#
# Creates (once) and reuses a venv at .cache/venv-spark with notebooks/requirements-spark.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FLOWCOST_SPARK_VENV:-$PWD/.cache/venv-spark}
REQ=notebooks/requirements-spark.txt
PY=${PYTHON:-python3}

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
SUM=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$SUM" ]]; then
  echo "==> pip install -r $REQ (pyspark is large: once)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
  echo "$SUM" > "$STAMP"
fi

if [[ -z "${FLOWCOST_TEST_LAKE:-}" ]]; then
  mkdir -p target
  echo "==> demo lake for Spark (target/spark-demo-lake)"
  FLOWCOST_DEMO_LAKE="$PWD/target/spark-demo-lake" FLOWCOST_DEMO_DATA="$PWD/target/spark-demo-data" \
    scripts/demo.sh > target/spark-demo-run.log 2>&1 || { cat target/spark-demo-run.log; exit 1; }
  FLOWCOST_TEST_LAKE=$PWD/target/spark-demo-lake
fi
FLOWCOST_TEST_LAKE=$(cd "$FLOWCOST_TEST_LAKE" && pwd)
export FLOWCOST_TEST_LAKE
echo "==> Spark $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)') reads $FLOWCOST_TEST_LAKE"
exec "$VENV/bin/python" -m pytest notebooks/spark_tests -q -p no:cacheprovider "$@"
