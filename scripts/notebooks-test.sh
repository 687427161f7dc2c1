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
VENV=${FLOWCOST_NOTEBOOKS_VENV:-$PWD/.cache/venv-notebooks}
REQ=notebooks/requirements.txt
PY=${PYTHON:-python3}

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
fi
# Reinstall only when the pins changed.
STAMP="$VENV/.requirements.sha256"
SUM=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$SUM" ]]; then
  echo "==> pip install -r $REQ"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
  echo "$SUM" > "$STAMP"
fi
# flowcost_lake importable from anywhere, as the notebooks README tells analysts to do
if ! "$VENV/bin/python" -m pip show -q flowcost-lake >/dev/null 2>&1; then
  echo "==> pip install -e notebooks"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e notebooks
fi

if [[ -n "${FLOWCOST_TEST_LAKE:-}" ]]; then
  FLOWCOST_TEST_LAKE=$(cd "$FLOWCOST_TEST_LAKE" && pwd)
  export FLOWCOST_TEST_LAKE
  echo "==> notebooks against $FLOWCOST_TEST_LAKE (and a synthetic lake)"
else
  echo "==> notebooks against a synthetic lake (set FLOWCOST_TEST_LAKE for the demo's lake)"
fi
exec "$VENV/bin/python" -m pytest notebooks/tests -q -p no:cacheprovider "$@"
