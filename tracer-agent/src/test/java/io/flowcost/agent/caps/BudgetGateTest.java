package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.context.WorkflowRefused;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hard budgets in the agent: the gate on new workflows, the status it reads, and the poller. */
class BudgetGateTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();

  @AfterEach
  void restore() {
    AgentContext.install(AgentContext.tracer(), original);
    BudgetGate.reset();
  }

  /** The extension's tags (team=claims, env=test) with {@code flowcost.caps.mode}. */
  private static void mode(String mode, String... more) {
    Map<String, String> settings = new HashMap<>(Map.of("flowcost.service", "claims-bot",
        "flowcost.tags", "team=claims,env=test", "flowcost.caps.mode", mode));
    for (int i = 0; i < more.length; i += 2) {
      settings.put(more[i], more[i + 1]);
    }
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(settings::get, n -> null));
  }

  /** A {@code GET /v1/budgets} body as the collector serves it (BudgetBoard.json). */
  static String body(String state, Instant periodEnd) {
    return "{\"budgets\":["
        + "{\"owner_key\":\"team\",\"owner\":\"claims\",\"period\":\"month\",\"period_id\":\"2026-12\","
        + "\"period_start\":\"2026-12-01T00:00:00Z\",\"period_end\":\"" + periodEnd + "\","
        + "\"spend_usd\":\"1.350000000\",\"soft_limit_usd\":\"0.80\",\"hard_limit_usd\":\"1.00\","
        + "\"state\":\"" + state + "\"},"
        + "{\"owner_key\":\"feature\",\"owner\":\"summarise\",\"period\":\"day\",\"period_id\":\"2026-12-06\","
        + "\"period_start\":\"2026-12-06T00:00:00Z\",\"period_end\":\"2026-12-07T00:00:00Z\","
        + "\"spend_usd\":\"3.000000000\",\"soft_limit_usd\":\"40\",\"state\":\"ok\"}]}";
  }

  private static Instant nextMonth() {
    return Instant.now().plus(30, ChronoUnit.DAYS);
  }

  private static void install(String state, Instant periodEnd) throws IOException {
    BudgetGate.update(BudgetStatus.parse(body(state, periodEnd).getBytes(StandardCharsets.UTF_8),
        System.nanoTime()));
  }

  private List<SpanData> breaches() {
    return telemetry.spans().stream()
        .filter(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .collect(Collectors.toList());
  }

  @Test
  void theStatusKeepsOnlyOwnersAtTheirHardCapAndRejectsMalformedBodies() throws IOException {
    BudgetStatus status = BudgetStatus.parse(body("hard", Instant.parse("2027-01-01T00:00:00Z"))
        .getBytes(StandardCharsets.UTF_8), 42);
    assertThat(status.hardOwners()).containsExactly(new BudgetStatus.HardOwner("team", "claims",
        "2026-12", Instant.parse("2027-01-01T00:00:00Z"), new java.math.BigDecimal("1.00"),
        new java.math.BigDecimal("1.350000000")));
    assertThat(status.fetchedNanos()).isEqualTo(42);
    assertThat(BudgetStatus.parse("{\"budgets\":[]}".getBytes(StandardCharsets.UTF_8), 0)
        .hardOwners()).isEmpty();
    for (String bad : List.of("", "[]", "{\"budgets\":[{\"owner_key\":\"team\",\"state\":\"hard\"}]}",
        "{\"budgets\":[{\"owner_key\":\"t\",\"owner\":\"o\",\"period_end\":\"tomorrow\","
            + "\"hard_limit_usd\":\"1\",\"spend_usd\":\"2\",\"state\":\"hard\"}]}")) {
      assertThatThrownBy(() -> BudgetStatus.parse(bad.getBytes(StandardCharsets.UTF_8), 0))
          .as(bad).isInstanceOf(IOException.class);
    }
  }

  @Test
  void enforceRefusesNewWorkflowsOfTheOwnerWithTheAppsExceptionAndRecordsTheRefusalOnce()
      throws IOException {
    mode("enforce");
    Workflow running = AgentContext.startWorkflow("already-running", "api", null, null);
    install("hard", nextMonth());

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> AgentContext.startWorkflow("triage", "api", null, null, null,
              getClass().getClassLoader()))
          .isInstanceOfSatisfying(WorkflowRefused.class, refused -> {
            assertThat(refused.exception()).isInstanceOf(WorkflowCapExceededException.class);
            WorkflowCapExceededException e = (WorkflowCapExceededException) refused.exception();
            assertThat(e.capKind()).isEqualTo(CapKind.BUDGET_USD);
            assertThat(e.owner()).isEqualTo("team=claims");
            assertThat(e.workflowName()).isEqualTo("triage");
            assertThat(e.workflowId()).isNull();
            assertThat(e.limit()).isEqualByComparingTo("1.00");
            assertThat(e.spent()).isEqualByComparingTo("1.35");
            assertThat(e.getMessage()).isEqualTo("workflow \"triage\" refused by budget-usd=1.00"
                + " USD of team=claims: spent 1.350000000 USD");
          });
    }
    // a model call outside any workflow would open an implicit one: refused too
    assertThat(CapGuard.beforeModelCall(getClass().getClassLoader())).isNotNull();
    // calls inside a workflow that was already running finish
    try (Scope ignored = running.attach(Context.current()).makeCurrent()) {
      assertThat(CapGuard.beforeModelCall(getClass().getClassLoader())).isNull();
    }
    running.rootSpan().end();
    // another owner's workflow starts
    AgentContext.startWorkflow("triage", "api", Map.of("team", "fraud"), null).rootSpan().end();

    List<SpanData> breaches = breaches();
    assertThat(breaches).as("one row per owner, period and workflow name").hasSize(2);
    SpanData b = breaches.stream()
        .filter(s -> "triage".equals(s.getAttributes().get(
            io.flowcost.agent.context.SpanAttributes.WORKFLOW_NAME)))
        .findFirst().orElseThrow();
    assertThat(b.getParentSpanContext().isValid()).as("a trace of its own").isFalse();
    assertThat(b.getAttributes().get(CapGuard.KIND)).isEqualTo("budget-usd");
    assertThat(b.getAttributes().get(CapGuard.LIMIT)).isEqualTo("1.00");
    assertThat(b.getAttributes().get(CapGuard.SPENT)).isEqualTo("1.350000000");
    assertThat(b.getAttributes().get(CapGuard.UNIT)).isEqualTo("USD");
    assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("enforce");
    assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
    assertThat(b.getAttributes().get(BudgetGate.OWNER)).isEqualTo("team=claims");
    assertThat(b.getAttributes().get(BudgetGate.PERIOD)).isEqualTo("2026-12");
  }

  @Test
  void warnLetsWorkflowsRunAndRecordsTheOwnerOncePerPeriod() throws IOException {
    mode("warn");
    install("hard", nextMonth());
    for (int i = 0; i < 3; i++) {
      AgentContext.startWorkflow("triage-" + i, "api", null, null).rootSpan().end();
    }
    assertThat(CapGuard.beforeModelCall(null)).isNull();
    List<SpanData> breaches = breaches();
    assertThat(breaches).hasSize(1);
    assertThat(breaches.get(0).getAttributes().get(CapGuard.MODE)).isEqualTo("warn");
    assertThat(breaches.get(0).getAttributes().get(CapGuard.ENFORCED)).isFalse();
  }

  @Test
  void aSoftStateARolledPeriodOrAStaleStatusRefusesNothing() throws IOException {
    mode("enforce", BudgetSettings.MAX_AGE_KEY, "1m");
    install("soft", nextMonth());
    AgentContext.startWorkflow("a", "api", null, null).rootSpan().end();

    install("hard", Instant.now().minusSeconds(1)); // the period rolled since the answer
    AgentContext.startWorkflow("b", "api", null, null).rootSpan().end();

    BudgetGate.update(BudgetStatus.parse(body("hard", nextMonth()).getBytes(StandardCharsets.UTF_8),
        System.nanoTime() - TimeUnit.SECONDS.toNanos(61))); // older than max-age=1m
    AgentContext.startWorkflow("c", "api", null, null).rootSpan().end();
    assertThat(breaches()).isEmpty();

    BudgetGate.update(BudgetGate.status().confirmedAt(System.nanoTime())); // a 304 refreshes it
    assertThatThrownBy(() -> AgentContext.startWorkflow("d", "api", null, null))
        .isInstanceOf(WorkflowRefused.class);
  }

  @Test
  void withoutOutcomeApiTheRefusalIsARuntimeExceptionNamingOwnerBudgetAndSpend() {
    ClassLoader bare = new ClassLoader(null) {};
    ClassLoader saved = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(bare);
    RuntimeException e;
    try {
      e = CapExceptions.budget(bare, "triage\n", "team=claims", new java.math.BigDecimal("1.00"),
          new java.math.BigDecimal("1.35"));
    } finally {
      Thread.currentThread().setContextClassLoader(saved);
    }
    assertThat(e.getClass()).isEqualTo(RuntimeException.class);
    assertThat(e.getMessage()).isEqualTo("workflow \"triage\\u000a\" refused by budget-usd=1.00"
        + " USD of team=claims: spent 1.35 USD");
  }

  @Test
  void budgetSettingsHaveDefaultsAndReportMalformedValues() {
    List<String> problems = new CopyOnWriteArrayList<>();
    assertThat(BudgetSettings.read(n -> null, problems::add))
        .isEqualTo(new BudgetSettings(15_000, 300_000));
    assertThat(BudgetSettings.read(Map.of(BudgetSettings.POLL_KEY, "off")::get, problems::add)
        .enabled()).isFalse();
    assertThat(BudgetSettings.read(Map.of(BudgetSettings.POLL_KEY, "2s",
        BudgetSettings.MAX_AGE_KEY, "1m")::get, problems::add))
        .isEqualTo(new BudgetSettings(2_000, 60_000));
    assertThat(problems).isEmpty();
    assertThat(BudgetSettings.read(Map.of(BudgetSettings.POLL_KEY, "soon",
        BudgetSettings.MAX_AGE_KEY, "-1s")::get, problems::add))
        .isEqualTo(new BudgetSettings(15_000, 300_000));
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("flowcost.budgets.poll: 'soon'");
    assertThat(problems.get(1)).startsWith("flowcost.budgets.max-age: '-1s'");
  }

  @Test
  void thePollerSendsTheApiKeyAndETagAndKeepsTheLastStatusWhenTheCollectorFails()
      throws Exception {
    mode("enforce");
    List<String> seen = new CopyOnWriteArrayList<>();
    int[] answer = {200};
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/budgets", exchange -> {
      seen.add(exchange.getRequestHeaders().getFirst("X-Flowcost-Api-Key") + " "
          + exchange.getRequestHeaders().getFirst("If-None-Match"));
      byte[] b = body("hard", nextMonth()).getBytes(StandardCharsets.UTF_8);
      if (answer[0] == 200) {
        exchange.getResponseHeaders().add("ETag", "\"t1\"");
        exchange.sendResponseHeaders(200, b.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(b);
        }
      } else {
        exchange.sendResponseHeaders(answer[0], -1);
        exchange.close();
      }
    });
    server.start();
    try {
      BudgetPoller poller = new BudgetPoller("http://127.0.0.1:"
          + server.getAddress().getPort() + "/v1/budgets", "k-1", 1000);
      poller.pollOnce();
      assertThat(BudgetGate.status().hardOwners()).hasSize(1);
      long first = BudgetGate.status().fetchedNanos();
      answer[0] = 304;
      poller.pollOnce();
      assertThat(BudgetGate.status().hardOwners()).hasSize(1);
      assertThat(BudgetGate.status().fetchedNanos()).isGreaterThan(first);
      answer[0] = 503;
      poller.pollOnce();
      assertThat(BudgetGate.status().hardOwners()).as("kept").hasSize(1);
      assertThat(seen).containsExactly("k-1 null", "k-1 \"t1\"", "k-1 \"t1\"");
    } finally {
      server.stop(0);
    }
  }
}
