#!/usr/bin/env bash
# Fuzzes the collector's decoders with Jazzer in real fuzzing mode (JAZZER_FUZZ=1), one target at
# a time for the fixed maxDuration of its @FuzzTest (30 s), and prints each target's execution
# counts. A finding fails the run; Jazzer writes the input under
# reliability-tests/src/test/resources/io/flowcost/reliability/fuzz/DecoderFuzzTestInputs/<target>/
# so that every later plain build replays it as a regression test.
#
# Builds what it needs first (the reliability-tests module and every module it depends on,
# installed into the local Maven repository), so it runs on a fresh machine. scripts/test.sh has
# just installed them and passes FLOWCOST_SKIP_BUILD=1.
#
# Exit codes: 0 = no finding; 1 = a fuzzing finding; 2 = the build or the test harness failed
# (not a finding: read the log it names).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target

if [[ "${FLOWCOST_SKIP_BUILD:-}" != "1" ]]; then
  echo "==> building the collector and the fuzz tests (mvn install -DskipTests)"
  if ! mvn -B -q -pl reliability-tests -am install -DskipTests > target/fuzz-build.log 2>&1; then
    tail -n 40 target/fuzz-build.log
    echo "fuzz.sh: the build failed before any fuzzing ran (not a fuzzing finding); full log: target/fuzz-build.log" >&2
    exit 2
  fi
fi

REPORT=reliability-tests/target/surefire-reports/io.flowcost.reliability.fuzz.DecoderFuzzTest-output.txt
for target in otlpBytes mixedBatch outcomeBytes; do
  echo "==> fuzzing DecoderFuzzTest#$target (30 s)"
  LOG=target/fuzz-$target.log
  if ! JAZZER_FUZZ=1 mvn -B -q -pl reliability-tests test -Dtest="DecoderFuzzTest#$target" \
      > "$LOG" 2>&1; then
    if grep -aq "== Java Exception\|FuzzTestFindingException\|Crashing input\|DEDUP_TOKEN" "$LOG"; then
      grep -a -A12 "== Java Exception\|FuzzTestFindingException" "$LOG" | head -60
      echo "fuzz.sh: fuzzing $target found a problem; full log: $LOG" >&2
      exit 1
    fi
    tail -n 40 "$LOG"
    echo "fuzz.sh: the fuzz run of $target failed without a fuzzing finding (build, dependency or" \
         "harness problem; try without FLOWCOST_SKIP_BUILD); full log: $LOG" >&2
    exit 2
  fi
  grep -a "^Done [0-9]* runs" "$LOG" | sed 's/^/    libFuzzer: /' || true
  grep -h "^fuzz target" "$REPORT" | sed 's/^/    /' || true
done
rm -rf reliability-tests/.cifuzz-corpus
