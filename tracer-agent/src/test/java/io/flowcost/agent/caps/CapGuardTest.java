package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.flowcost.agent.usage.Usage;
import io.flowcost.outcome.CapKind;
import io.flowcost.outcome.WorkflowCapExceededException;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CapGuardTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  private final AgentConfig original = AgentContext.config();

  @AfterEach
  void restore() {
    AgentContext.install(AgentContext.tracer(), original);
  }

  private static void configure(String caps, String mode) {
    AgentContext.install(
        AgentContext.tracer(),
        AgentConfig.from(Map.of("flowcost.caps", caps, "flowcost.caps.mode", mode)::get, n -> null));
  }

  private List<SpanData> breaches() {
    return telemetry.spans().stream()
        .filter(s -> Boolean.TRUE.equals(s.getAttributes().get(CapGuard.BREACH)))
        .collect(Collectors.toList());
  }

  @Test
  void enforceRefusesTheCallPastTheCapWithTheAppsExceptionTypeAndRecordsOneBreach() {
    configure("max-model-calls=2", "enforce");
    Workflow wf = AgentContext.startWorkflow("runaway", "api", null, null);
    ClassLoader app = getClass().getClassLoader();
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(CapGuard.beforeModelCall(app)).isNull();
      assertThat(CapGuard.beforeModelCall(app)).isNull();
      assertThat(CapGuard.beforeToolCall(app)).isNull(); // a tool call is not a model call
      CapRefusal refused = CapGuard.beforeModelCall(app);
      assertThat(refused).isNotNull();
      assertThat(refused.exception()).isInstanceOf(WorkflowCapExceededException.class);
      WorkflowCapExceededException e = (WorkflowCapExceededException) refused.exception();
      assertThat(e.workflowId()).isEqualTo(wf.id());
      assertThat(e.workflowName()).isEqualTo("runaway");
      assertThat(e.capKind()).isEqualTo(CapKind.MAX_MODEL_CALLS);
      assertThat(e.limit()).isEqualByComparingTo("2");
      assertThat(e.spent()).isEqualByComparingTo("2");
      assertThat(CapGuard.beforeModelCall(app)).isNotNull(); // still refused
      assertThat(wf.spend().modelCalls()).isEqualTo(2); // refused calls never started
    }
    wf.rootSpan().end();
    List<SpanData> breaches = breaches();
    assertThat(breaches).hasSize(1);
    SpanData b = breaches.get(0);
    assertThat(b.getTraceId()).isEqualTo(wf.id());
    assertThat(b.getParentSpanId()).isEqualTo(wf.rootSpan().getSpanContext().getSpanId());
    assertThat(b.getAttributes().get(CapGuard.KIND)).isEqualTo("max-model-calls");
    assertThat(b.getAttributes().get(CapGuard.LIMIT)).isEqualTo("2");
    assertThat(b.getAttributes().get(CapGuard.SPENT)).isEqualTo("2");
    assertThat(b.getAttributes().get(CapGuard.UNIT)).isEqualTo("calls");
    assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("enforce");
    assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isTrue();
    assertThat(b.getAttributes().get(CapGuard.MODEL_CALLS)).isEqualTo(2L);
    assertThat(b.getAttributes().get(CapGuard.TOOL_CALLS)).isEqualTo(1L);
  }

  @Test
  void warnLetsEveryCallRunAndRecordsTheBreachOnce() {
    configure("max-tool-calls=1", "warn");
    Workflow wf = AgentContext.startWorkflow("loop", "api", null, null);
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      for (int i = 0; i < 5; i++) {
        assertThat(CapGuard.beforeToolCall(null)).isNull();
      }
      assertThat(wf.spend().toolCalls()).isEqualTo(5);
    }
    wf.rootSpan().end();
    assertThat(breaches()).singleElement().satisfies(b -> {
      assertThat(b.getAttributes().get(CapGuard.MODE)).isEqualTo("warn");
      assertThat(b.getAttributes().get(CapGuard.ENFORCED)).isFalse();
      assertThat(b.getAttributes().get(CapGuard.SPENT)).isEqualTo("1");
    });
  }

  @Test
  void tokensOfFinishedCallsCountAndAnAppWithoutOutcomeApiGetsANamedRuntimeException() {
    configure("max-tokens=100", "enforce");
    Workflow wf = AgentContext.startWorkflow("tok", "api", null, null);
    ClassLoader bare = new ClassLoader(null) {};
    try (Scope ignored = wf.attach(Context.current()).makeCurrent()) {
      assertThat(CapGuard.beforeModelCall(bare)).isNull();
      CapGuard.modelCallEnded(wf.spend(), "openai", "gpt-4o-mini", null,
          List.of(Usage.builder().inputTokens(60L).outputTokens(30L).build()));
      assertThat(CapGuard.beforeModelCall(bare)).isNull(); // 90 < 100
      CapGuard.modelCallEnded(wf.spend(), "openai", "gpt-4o-mini", null,
          java.util.Arrays.asList(null, Usage.builder().inputTokens(15L).build()));
      ClassLoader previous = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(bare);
      try {
        CapRefusal refused = CapGuard.beforeModelCall(bare);
        assertThat(refused.exception().getClass()).isEqualTo(RuntimeException.class);
        assertThat(refused.exception().getMessage())
            .isEqualTo("workflow \"tok\" (id " + wf.id() + ") stopped by cap max-tokens=100 tokens:"
                + " spent 105 tokens");
      } finally {
        Thread.currentThread().setContextClassLoader(previous);
      }
    }
    wf.rootSpan().end();
  }

  @Test
  void workflowsWithoutCapsAndImplicitOnesAreNeverChecked() {
    Workflow wf = AgentContext.startWorkflow("free", "api", null, null);
    assertThat(wf.spend()).isNull();
    wf.rootSpan().end();
    configure("max-model-calls=0", "enforce");
    Workflow implicit = AgentContext.startWorkflow("svc:chat m", "implicit", null, null);
    assertThat(implicit.spend()).isNull();
    implicit.rootSpan().end();
    assertThat(CapGuard.beforeModelCall(null)).isNull(); // no workflow open
  }
}
