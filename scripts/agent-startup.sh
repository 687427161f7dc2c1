#!/usr/bin/env bash
# Start-up cost of the Flowcost agent before the application's main, as steady proxies of the
# wall-clock start-up (which is noise on a loaded machine): the classes loaded when main starts
# and the CPU time of the main thread until then (premain runs on it). One trivial main, one JVM
# per measurement, the configurations interleaved round by round; prints each run and the medians.
#   scripts/agent-startup.sh [ROUNDS] [NAME=AGENT_JAR ...]
#   default: 5 rounds, "none" (no agent) and "agent"=tracer-agent/target/flowcost-agent.jar
#   STARTUP_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java for another JVM
# Spans go to a closed port (nothing listens); the agent's export threads are not measured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
rounds="${1:-5}"
shift || true
configs=("none=" "$@")
if [ $# -eq 0 ]; then configs+=("agent=$ROOT/tracer-agent/target/flowcost-agent.jar"); fi
java_bin="${STARTUP_JAVA:-java}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/StartupProbe.java" <<'JAVA'
import java.lang.management.ManagementFactory;
public class StartupProbe {
  public static void main(String[] args) {
    long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    // the management classes this loads are the same in every configuration
    int loaded = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
    System.out.println("STARTUP " + loaded + " " + cpu / 1_000_000);
  }
}
JAVA
javac -d "$work" "$work/StartupProbe.java"
export FLOWCOST_ENDPOINT="${FLOWCOST_ENDPOINT:-http://127.0.0.1:9}" FLOWCOST_SERVICE=startup-probe
for ((r = 1; r <= rounds; r++)); do
  for c in "${configs[@]}"; do
    name="${c%%=*}" jar="${c#*=}"
    line=$("$java_bin" ${jar:+-javaagent:"$jar"} -cp "$work" StartupProbe 2>/dev/null | grep '^STARTUP ')
    echo "$name ${line#STARTUP }" | tee -a "$work/runs.txt"
  done
done
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg); $("$java_bin" -version 2>&1 | head -1)"
echo "config  classes-at-main(median)  main-thread-CPU-ms(median)"
for c in "${configs[@]}"; do
  name="${c%%=*}"
  classes=$(awk -v n="$name" '$1 == n {print $2}' "$work/runs.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(awk -v n="$name" '$1 == n {print $3}' "$work/runs.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name  $classes  $cpu"
done
