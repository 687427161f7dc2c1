#!/usr/bin/env bash
# Tests the notebooks: executes every notebook headless (nbclient) against a lake and checks
# their figures against SQL over the raw Parquet files, and runs burn_anomalies and showback
# against a generated multi-week synthetic lake with known anomalies.
#
#   FLOWCOST_TEST_LAKE=target/demo-lake scripts/notebooks-test.sh   # the demo's lake
#   scripts/notebooks-test.sh                                        # synthetic lake only
#   scripts/notebooks-test.sh -k burn                                # extra pytest arguments
#
# Creates (once) and reuses a venv at .cache/venv-notebooks with notebooks/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON_BIN=$(scripts/notebooks-venv.sh)

if [[ -n "${FLOWCOST_TEST_LAKE:-}" ]]; then
  FLOWCOST_TEST_LAKE=$(cd "$FLOWCOST_TEST_LAKE" && pwd)
  export FLOWCOST_TEST_LAKE
  echo "==> notebooks against $FLOWCOST_TEST_LAKE (and a synthetic lake)"
else
  echo "==> notebooks against a synthetic lake (set FLOWCOST_TEST_LAKE for the demo's lake)"
fi
exec "$PYTHON_BIN" -m pytest notebooks/tests -q -p no:cacheprovider "$@"
