#!/usr/bin/env bash
# Creates (once) and updates the notebooks' venv (.cache/venv-notebooks, or
# FLOWCOST_NOTEBOOKS_VENV) with notebooks/requirements.txt and flowcost_lake installed editable,
# and prints its python. Used by scripts/notebooks-test.sh and scripts/bench.sh lake.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FLOWCOST_NOTEBOOKS_VENV:-$PWD/.cache/venv-notebooks}
REQ=notebooks/requirements.txt
PY=${PYTHON:-python3}

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "==> creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
# Reinstall only when the pins changed.
STAMP="$VENV/.requirements.sha256"
SUM=$(sha256sum "$REQ" | cut -d' ' -f1)
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$SUM" ]]; then
  echo "==> pip install -r $REQ" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" >&2
  echo "$SUM" > "$STAMP"
fi
# flowcost_lake importable from anywhere, as the notebooks README tells analysts to do
if ! "$VENV/bin/python" -m pip show -q flowcost-lake >/dev/null 2>&1; then
  echo "==> pip install -e notebooks" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e notebooks >&2
fi
echo "$VENV/bin/python"
