package io.flowcost.reliability.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.reliability.CollectorProcessAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent overhead per LangChain4j chat call: the same loop of calls (against the in-process fake
 * provider) without the agent, with it and the collector up, and with it and the collector down
 * (spans go to the spool). Each in its own JVM. Run with
 * {@code mvn -B -o -pl reliability-tests test -Dtest=AgentOverheadBenchmark}; figures go to
 * docs/benchmarks.md.
 */
class AgentOverheadBenchmark {

  private static final String WARMUP = System.getProperty("bench.warmup", "2000");
  private static final String CALLS = System.getProperty("bench.calls", "5000");

  @TempDir Path tmp;

  @Test
  void chatCallWithAndWithoutTheAgent() throws Exception {
    Path root = Path.of(System.getProperty("flowcost.repo.root", "..")).toAbsolutePath();
    Path agent = root.resolve("tracer-agent/target/flowcost-agent.jar");
    int port = CollectorProcessAccess.freePort();
    int closed = CollectorProcessAccess.freePort();
    List<String> rows = new ArrayList<>();
    rows.add(run("no agent", List.of()));
    try (AutoCloseable collector = CollectorProcessAccess.start(port, tmp.resolve("lake"),
        tmp.resolve("data"), tmp.resolve("collector.txt"))) {
      rows.add(run("agent, collector up", List.of("-javaagent:" + agent,
          "-Dflowcost.endpoint=http://127.0.0.1:" + port,
          "-Dflowcost.spool.dir=" + tmp.resolve("spool-up"))));
    }
    rows.add(run("agent, collector down", List.of("-javaagent:" + agent,
        "-Dflowcost.endpoint=http://127.0.0.1:" + closed,
        "-Dflowcost.spool.dir=" + tmp.resolve("spool-down"),
        "-Dflowcost.spool.max-bytes=1073741824")));
    System.out.println("| run | calls | p50 µs | mean µs | p99 µs | bytes/call (app thread) |"
        + " bytes/call (all threads) |");
    System.out.println("|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  /**
   * What caps add: the same calls inside one workflow, without caps and with every cap set in
   * enforce mode (never reached, so every call is checked and counted).
   */
  @Test
  void chatCallInAWorkflowWithAndWithoutCaps() throws Exception {
    Path root = Path.of(System.getProperty("flowcost.repo.root", "..")).toAbsolutePath();
    Path agent = root.resolve("tracer-agent/target/flowcost-agent.jar");
    int port = CollectorProcessAccess.freePort();
    List<String> rows = new ArrayList<>();
    try (AutoCloseable collector = CollectorProcessAccess.start(port, tmp.resolve("lake"),
        tmp.resolve("data"), tmp.resolve("collector.txt"))) {
      rows.add(run("agent, in a workflow, no caps", List.of("-javaagent:" + agent,
          "-Dflowcost.endpoint=http://127.0.0.1:" + port,
          "-Dflowcost.spool.dir=" + tmp.resolve("spool-nocaps")), "workflow"));
      rows.add(run("agent, in a workflow, 5 caps enforced (never reached)", List.of(
          "-javaagent:" + agent,
          "-Dflowcost.endpoint=http://127.0.0.1:" + port,
          "-Dflowcost.spool.dir=" + tmp.resolve("spool-caps"),
          "-Dflowcost.caps=max-cost-usd=1000000,max-tokens=1000000000000,"
              + "max-model-calls=100000000,max-tool-calls=100000000,max-wall-time=24h",
          "-Dflowcost.caps.mode=enforce"), "workflow"));
    }
    System.out.println("| run | calls | p50 µs | mean µs | p99 µs | bytes/call (app thread) |"
        + " bytes/call (all threads) |");
    System.out.println("|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private String run(String name, List<String> agentArgs) throws Exception {
    return run(name, agentArgs, null);
  }

  private String run(String name, List<String> agentArgs, String mode) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
    cmd.addAll(agentArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        AgentOverheadMain.class.getName(), WARMUP, CALLS));
    if (mode != null) {
      cmd.add(mode);
    }
    Path out = tmp.resolve(name.replaceAll("\\W", "_") + ".txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    String result = text.lines().filter(l -> l.startsWith("RESULT")).findFirst()
        .orElseThrow(() -> new AssertionError(text));
    String[] f = result.split(" ");
    return "| " + name + " | " + value(f[1]) + " | " + value(f[2]) + " | " + value(f[3]) + " | "
        + value(f[4]) + " | " + value(f[5]) + " | " + value(f[6]) + " |";
  }

  private static String value(String field) {
    return field.substring(field.indexOf('=') + 1);
  }
}
