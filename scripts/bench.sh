#!/usr/bin/env bash
# Benchmarks, one command per section; prints the tables docs/benchmarks.md reports.
#   scripts/bench.sh agent   side-by-side agent overhead: no agent / OpenTelemetry Java agent /
#                            Flowcost agent, interleaved rounds (BENCH_ROUNDS, default 5; warm-up,
#                            the round's JVMs taking turns, a block of 1000 each: at least
#                            BENCH_WARMUP invocations, default 5000, then turns until every JVM's
#                            JIT threads' share of the CPU over its block is <= BENCH_JIT_QUIET,
#                            default 0.03, or BENCH_WARMUP_MAX in all, default 20000 (=
#                            BENCH_WARMUP: a fixed warm-up); every JVM of a round warms up as long
#                            and none waits idle before its measured blocks; BENCH_INVOCATIONS
#                            measured, default 10000, in blocks of BENCH_BLOCK, default 500, the
#                            round's JVMs taking turns block by block (paired differences, 95 %
#                            intervals; the JIT's CPU by measured block is printed per JVM);
#                            BENCH_GC collector options, default -XX:+UseSerialGC (heap fixed
#                            at 512 MB);
#                            BENCH_JVM_OPTS extra options for the app JVMs, e.g.
#                            -XX:+PrintCompilation; BENCH_JAVA=/path/to/java for another JVM,
#                            BENCH_JFR=true for a JFR recording of each application JVM,
#                            BENCH_BASELINE_AGENT=/path/to/an/earlier/flowcost-agent.jar as a 4th column,
#                            BENCH_BASELINE_OPTS options for that column only, e.g. the same jar with
#                            -Dflowcost.instrumentation.executors.enabled=false: what one unit adds)
#   scripts/bench.sh lake    rollup and notebook queries on a generated lake against a plain
#                            DuckDB GROUP BY (notebooks/lake_benchmark.py; BENCH_LAKE_CALLS,
#                            default 10^7, BENCH_LAKE_ROUNDS, BENCH_LAKE_BEFORE=<git rev> to
#                            measure that revision's lake.sql and notebooks interleaved,
#                            BENCH_LAKE_WORK to keep and reuse the generated lake, further
#                            arguments passed on, e.g. --no-notebooks, --rollup-only)
#   scripts/bench.sh collector  collector ingest: concurrent OTLP senders against the packaged
#                            collector (reliability-tests IngestBenchmark; BENCH_SECONDS per row,
#                            BENCH_WARMUP_SECONDS of the row's own load before it (default 10),
#                            BENCH_CONFIGS=1x100,1x512,4x100,4x1000,16x100 (senders x spans),
#                            BENCH_BASELINE_COLLECTOR=/path/to/an/earlier/flowcost-collector.jar
#                            runs that build and this one interleaved, row by row;
#                            BENCH_COLLECTOR_JVM="-Xmx1g" extra options for the collector JVMs
#                            (after the defaults -Xmx512m -XX:+UseSerialGC);
#                            BENCH_WORKFLOWS=1000000 [BENCH_MEMORY_SECONDS=600] runs the memory
#                            run instead: distinct workflows, heap after GC sampled over time)
#   scripts/bench.sh collector-soak  the collector's memory over a long run (the soak): 4 senders
#                            of whole workflows and their outcomes, BENCH_WORKFLOWS distinct
#                            workflows (default 1000000), BENCH_MEMORY_SECONDS (default 600), the
#                            heap after a full GC and the RSS every BENCH_MEMORY_SAMPLE seconds
#                            (default 10); prints a table per minute and the slopes over the second
#                            half, FLAT or NOT FLAT against BENCH_MEMORY_FLAT MB/min (default 2);
#                            BENCH_BASELINE_COLLECTOR=<earlier jar> runs that build first, then this one
#   scripts/bench.sh all     the three above, one after the other (agent, collector, lake)
# Each section builds what it needs in the reactor (no mvn install) and is independent of the others.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bench_agent() {
  local out="$ROOT/target/bench/agent"
  local otel_version="${OTEL_AGENT_VERSION:-2.31.0}"
  mkdir -p "$out"
  echo "==> building the agent, the fake provider and the benchmark (reactor, no install)" >&2
  # build-classpath runs in every module of the reactor, all writing the same file: the last
  # module built, reliability-tests, is the one that stays.
  mvn -B -q -o -pl reliability-tests -am package -DskipTests \
    dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt" >&2
  echo "==> OpenTelemetry Java agent $otel_version (Maven Central)" >&2
  mvn -B -q dependency:copy -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$otel_version" \
    -DoutputDirectory="$out" -Dmdep.stripVersion=false >&2
  local cp="$ROOT/reliability-tests/target/test-classes:$ROOT/reliability-tests/target/classes:$(cat "$out/cp.txt")"
  java -cp "$cp" \
    -Dbench.rounds="${BENCH_ROUNDS:-5}" ${BENCH_WARMUP:+-Dbench.warmup="$BENCH_WARMUP"} \
    ${BENCH_WARMUP_MAX:+-Dbench.warmup.max="$BENCH_WARMUP_MAX"} \
    ${BENCH_JIT_QUIET:+-Dbench.jit.quiet="$BENCH_JIT_QUIET"} \
    ${BENCH_INVOCATIONS:+-Dbench.invocations="$BENCH_INVOCATIONS"} \
    ${BENCH_BLOCK:+-Dbench.block="$BENCH_BLOCK"} ${BENCH_GC:+-Dbench.gc="$BENCH_GC"} \
    -Dbench.jvm.options="${BENCH_JVM_OPTS:-}" \
    -Dbench.jfr="${BENCH_JFR:-false}" -Dbench.baseline.agent="${BENCH_BASELINE_AGENT:-}" -Dbench.baseline.options="${BENCH_BASELINE_OPTS:-}" ${BENCH_JAVA:+-Dbench.java="$BENCH_JAVA"} \
    io.flowcost.reliability.bench.SideBySideAgentBenchmark \
    "$ROOT/tracer-agent/target/flowcost-agent.jar" \
    "$out/opentelemetry-javaagent-$otel_version.jar" "$out/runs"
}

bench_lake() {
  local python work="${BENCH_LAKE_WORK:-$ROOT/target/bench/lake}"
  python=$(scripts/notebooks-venv.sh)
  mkdir -p "$work"
  "$python" notebooks/lake_benchmark.py --calls "${BENCH_LAKE_CALLS:-10000000}" \
    --rounds "${BENCH_LAKE_ROUNDS:-1}" --work "$work" \
    ${BENCH_LAKE_BEFORE:+--before "$BENCH_LAKE_BEFORE"} "$@"
}

bench_collector() {
  echo "==> building the collector jar and the benchmark (reactor, no install)" >&2
  mvn -B -q -pl collector -am package -DskipTests >&2
  mvn -B -q -pl reliability-tests -am test -Dtest=IngestBenchmark \
    -Dsurefire.failIfNoSpecifiedTests=false -Dbench.seconds="${BENCH_SECONDS:-10}" \
    -Dbench.warmup.seconds="${BENCH_WARMUP_SECONDS:-10}" \
    ${BENCH_CONFIGS:+-Dbench.configs="$BENCH_CONFIGS"} \
    ${BENCH_COLLECTOR_JVM:+-Dbench.collector.jvm="$BENCH_COLLECTOR_JVM"} \
    ${BENCH_BASELINE_COLLECTOR:+-Dbench.jars="base=$BENCH_BASELINE_COLLECTOR,new=$ROOT/collector/target/flowcost-collector.jar"} \
    ${BENCH_WORKFLOWS:+-Dbench.workflows="$BENCH_WORKFLOWS"} \
    ${BENCH_MEMORY_SECONDS:+-Dbench.memory.seconds="$BENCH_MEMORY_SECONDS"} \
    ${BENCH_MEMORY_SAMPLE:+-Dbench.memory.sample="$BENCH_MEMORY_SAMPLE"} \
    ${BENCH_MEMORY_FLAT:+-Dbench.memory.flat.mb.per.min="$BENCH_MEMORY_FLAT"} >&2
  cat "$ROOT/reliability-tests/target/surefire-reports/io.flowcost.reliability.bench.IngestBenchmark-output.txt"
}

case "${1:-}" in
  agent) bench_agent ;;
  lake) shift; bench_lake "$@" ;;
  collector) bench_collector ;;
  collector-soak)
    BENCH_WORKFLOWS="${BENCH_WORKFLOWS:-1000000}" BENCH_MEMORY_SECONDS="${BENCH_MEMORY_SECONDS:-600}" \
      BENCH_MEMORY_SAMPLE="${BENCH_MEMORY_SAMPLE:-10}" bench_collector
    ;;
  all)
    echo "### Side by side: no agent / OpenTelemetry Java agent / Flowcost agent"
    bench_agent
    echo "### Collector ingest"
    bench_collector
    echo "### Lake: rollup and notebook queries"
    shift; bench_lake "$@"
    ;;
  *)
    echo "usage: scripts/bench.sh agent|collector|collector-soak|lake|all" >&2
    exit 2
    ;;
esac
