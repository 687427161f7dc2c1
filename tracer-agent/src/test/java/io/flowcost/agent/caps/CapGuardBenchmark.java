package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH: what caps add to one model call on the application's thread — {@link
 * CapGuard#beforeModelCall} before the call and {@link CapGuard#modelCallEnded} after it — with no
 * caps configured and with all five per-workflow caps set (enforce mode, never reached, so every
 * call is checked and counted), and what the budget gate adds to opening a workflow with and
 * without owners at their hard cap. Not a test (its name does not end in {@code Test}); run it
 * with the command in {@code docs/benchmarks.md}, which prints a table and writes it to {@code
 * target/cap-guard-benchmark.txt}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CapGuardBenchmark {

  static final String ALL_CAPS = "max-cost-usd=1000000,max-tokens=1000000000000,"
      + "max-model-calls=1000000000000,max-tool-calls=1000000000000,max-wall-time=100000h";

  /** One workflow current on the benchmark thread, with or without caps. */
  @State(org.openjdk.jmh.annotations.Scope.Thread)
  public static class InWorkflow {
    @Param({"none", "all-five"})
    public String caps;

    Workflow workflow;
    io.opentelemetry.context.Scope scope;
    final List<Usage> usages =
        List.of(Usage.builder().inputTokens(1200L).outputTokens(300L).build());

    @Setup(Level.Trial)
    public void open() {
      Map<String, String> settings = "none".equals(caps)
          ? Map.of("flowcost.service", "bench", "flowcost.budgets.poll", "off")
          : Map.of("flowcost.service", "bench", "flowcost.budgets.poll", "off",
              "flowcost.caps", ALL_CAPS, "flowcost.caps.mode", "enforce");
      AgentContext.install(TracerProvider.noop().get("bench"),
          AgentConfig.from(settings::get, n -> null));
      workflow = AgentContext.startWorkflow("bench", "api", null, null);
      scope = workflow.attach(Context.current()).makeCurrent();
    }

    @TearDown(Level.Trial)
    public void close() {
      scope.close();
    }
  }

  /** The cap work around one model call: the check before it, the spend after it. */
  @Benchmark
  public Object modelCall(InWorkflow s) {
    CapRefusal refusal = CapGuard.beforeModelCall(null);
    CapGuard.modelCallEnded(s.workflow.spend(), "openai", "gpt-4o-mini", "gpt-4o-mini", s.usages);
    return refusal;
  }

  /** The budget gate's status: none, or 100 owners at their hard cap, none of them this one. */
  @State(org.openjdk.jmh.annotations.Scope.Thread)
  public static class Budgets {
    @Param({"0", "100"})
    public int hardOwners;

    final Map<String, String> tags = Map.of("team", "payments", "env", "prod");

    @Setup(Level.Trial)
    public void install() {
      AgentContext.install(TracerProvider.noop().get("bench"), AgentConfig.from(Map.of(
          "flowcost.service", "bench", "flowcost.caps.mode", "enforce")::get, n -> null));
      List<BudgetStatus.HardOwner> owners = new ArrayList<>();
      for (int i = 0; i < hardOwners; i++) {
        owners.add(new BudgetStatus.HardOwner("team", "team-" + i, "2026-12",
            java.time.Instant.now().plusSeconds(86_400), java.math.BigDecimal.ONE,
            java.math.BigDecimal.TEN));
      }
      BudgetGate.update(new BudgetStatus(owners, System.nanoTime()));
    }

    @TearDown(Level.Trial)
    public void reset() {
      BudgetGate.reset();
    }
  }

  /** The gate a new workflow passes (its owner is not at a hard cap). */
  @Benchmark
  public Object workflowOpens(Budgets b) {
    return BudgetGate.beforeWorkflow("bench", b.tags, null);
  }

  /** Runs the benchmarks (JUnit entry point, only when named with -Dtest). */
  @Test
  void run() throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(CapGuardBenchmark.class.getName() + "\\.")
        .build()).run();
    StringBuilder table = new StringBuilder(
        "| benchmark | params | ns/op (mean) | ± (99.9%) |\n|---|---|---|---|\n");
    for (RunResult r : results) {
      var p = r.getParams();
      String params = p.getBenchmark().endsWith("modelCall") ? "caps=" + p.getParam("caps")
          : "hardOwners=" + p.getParam("hardOwners");
      table.append("| ").append(p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1))
          .append(" | ").append(params)
          .append(" | ").append(String.format("%.1f", r.getPrimaryResult().getScore()))
          .append(" | ").append(String.format("%.1f", r.getPrimaryResult().getScoreError()))
          .append(" |\n");
    }
    System.out.println(table);
    Files.writeString(Path.of("target", "cap-guard-benchmark.txt"), table,
        StandardCharsets.UTF_8);
    assertThat(results).hasSize(4);
  }
}
