#!/usr/bin/env bash
# Fuzzes the collector's decoders with Jazzer in real fuzzing mode (JAZZER_FUZZ=1), one target at
# a time for the fixed maxDuration of its @FuzzTest (30 s), and prints each target's execution
# counts. A finding fails the run; Jazzer writes the input under
# reliability-tests/src/test/resources/io/flowcost/reliability/fuzz/DecoderFuzzTestInputs/<target>/
# so that every later plain build replays it as a regression test.
# Needs the collector installed: mvn -B -o -q install -DskipTests -pl lake-writer,collector
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
REPORT=reliability-tests/target/surefire-reports/io.flowcost.reliability.fuzz.DecoderFuzzTest-output.txt
for target in otlpBytes mixedBatch outcomeBytes; do
  echo "==> fuzzing DecoderFuzzTest#$target (30 s)"
  LOG=target/fuzz-$target.log
  if ! JAZZER_FUZZ=1 mvn -B -o -q -pl reliability-tests test -Dtest="DecoderFuzzTest#$target" \
      > "$LOG" 2>&1; then
    grep -a -A12 "== Java Exception\|FuzzTestFindingException\|ERROR" "$LOG" | head -60
    echo "fuzzing $target found a problem; full log: $LOG"
    exit 1
  fi
  grep -a "^Done [0-9]* runs" "$LOG" | sed 's/^/    libFuzzer: /'
  grep -h "^fuzz target" "$REPORT" | sed 's/^/    /'
done
rm -rf reliability-tests/.cifuzz-corpus
