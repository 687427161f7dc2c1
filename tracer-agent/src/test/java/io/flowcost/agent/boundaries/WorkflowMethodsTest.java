package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.Instrumentations;
import io.flowcost.agent.methods.MethodBoundaries;
import io.flowcost.agent.methods.WorkflowMethod;
import io.flowcost.agent.methods.WorkflowMethodsInstrumentation;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code flowcost.workflow.methods}: parsed by the agent's settings reader (property or {@code
 * FLOWCOST_WORKFLOW_METHODS}), one advice per entry, and each listed method — entered with no
 * workflow open — is one workflow named {@code <SimpleName>.<method>} when it makes model calls,
 * failed when it throws, nothing when it makes none. {@link MethodBoundaries} is called as {@code
 * MethodAdvice} calls it.
 */
class WorkflowMethodsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  /** A message listener interface, as a setting would name it. */
  interface Listener {
    void onMessage(String message);
  }

  /** Its implementation: the workflow is named after the configured interface. */
  static final class ClaimsListener implements Listener {
    @Override
    public void onMessage(String message) {
      Object token = MethodBoundaries.enter(ClaimsListener.class, "onMessage"); // MethodAdvice
      Throwable thrown = null;
      try {
        if (!message.isEmpty()) {
          Boundaries.modelCall();
          Boundaries.modelCall();
        }
        if (message.equals("bad")) {
          throw new IllegalArgumentException("bad message");
        }
      } catch (RuntimeException e) {
        thrown = e;
        throw e;
      } finally {
        MethodBoundaries.exit(token, thrown);
      }
    }
  }

  private AgentConfig original;

  @BeforeEach
  void configure() {
    original = AgentContext.config();
    AgentContext.install(AgentContext.tracer(), AgentConfig.from(name -> null, Map.of(
        "FLOWCOST_SERVICE", "claims-bot",
        "FLOWCOST_WORKFLOW_METHODS", Listener.class.getName() + "#onMessage, com.acme.Batch#run")::get));
  }

  @AfterEach
  void restore() {
    AgentContext.install(AgentContext.tracer(), original);
  }

  @Test
  void theSettingIsParsedAndEachEntryIsOneAdvice() {
    assertThat(AgentContext.config().workflowMethods()).containsExactly(
        new WorkflowMethod(Listener.class.getName(), "onMessage"),
        new WorkflowMethod("com.acme.Batch", "run"));
    assertThat(new WorkflowMethod("com.acme.Batch", "run").workflowName()).isEqualTo("Batch.run");
    assertThat(new WorkflowMethod("com.acme.Jobs$Nightly", "run").workflowName()).isEqualTo("Nightly.run");
    InstrumentationModule unit = new WorkflowMethodsInstrumentation(AgentContext.config().workflowMethods());
    assertThat(unit.name()).isEqualTo("workflow-methods");
    assertThat(unit.typeInstrumentations()).hasSize(2);
    assertThat(new WorkflowMethodsInstrumentation(List.of()).typeInstrumentations())
        .as("nothing matched without the setting").isEmpty();
    assertThat(Instrumentations.all()).extracting(InstrumentationModule::name)
        .contains("workflow-methods", "spring-webflux", "vertx-web");
  }

  @Test
  void badEntriesAreReportedByPositionAndSkipped() {
    List<String> problems = new ArrayList<>();
    List<WorkflowMethod> parsed = WorkflowMethod.parse(
        "com.acme.Batch#run,,com.acme.Batch, #run,com.acme.Batch#run, a.B#c#d,a b.C#x,a.B#run()", problems::add);
    assertThat(parsed).containsExactly(new WorkflowMethod("com.acme.Batch", "run"));
    assertThat(problems).hasSize(5).allSatisfy(p -> assertThat(p)
        .startsWith("flowcost.workflow.methods: entry ").endsWith("it is ignored")
        .doesNotContain("a b").doesNotContain("#run()"));
    assertThatThrownBy(() -> new WorkflowMethod("com.acme.Batch", "run()"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aListedMethodIsOneWorkflowOfItsModelCallsNamedAfterTheConfiguredType() throws Exception {
    Listener listener = new ClaimsListener();
    listener.onMessage("claim 1");
    listener.onMessage(""); // no model call: nothing recorded
    try {
      listener.onMessage("bad");
    } catch (IllegalArgumentException expected) {
      // the listener's own exception reaches its caller unchanged
    }
    assertThat(Boundaries.workflows(telemetry, 2)).extracting(Boundaries.Recorded::toString)
        .containsExactly("Listener.onMessage [method, 2 calls]",
            "Listener.onMessage [method, 2 calls, failed java.lang.IllegalArgumentException]");
    assertThat(telemetry.spans()).hasSize(6);
  }

  @Test
  void insideAnOpenWorkflowAListedMethodIsPartOfIt() {
    io.flowcost.agent.context.Workflow outer = AgentContext.startWorkflow("nightly", "api", null, null);
    try (io.opentelemetry.context.Scope ignored =
        outer.attach(io.opentelemetry.context.Context.current()).makeCurrent()) {
      new ClaimsListener().onMessage("claim 2");
    }
    outer.rootSpan().end();
    assertThat(telemetry.spans()).hasSize(3)
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(outer.id()));
  }
}
