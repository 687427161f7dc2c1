package io.flowcost.agent.boundaries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.AgentInstallerAccess;
import com.acme.jobs.Job;
import com.acme.jobs.NightlyBatch;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.Instrumentations;
import io.flowcost.agent.methods.MethodBoundaries;
import io.flowcost.agent.methods.WorkflowMethod;
import io.flowcost.agent.methods.WorkflowMethodsInstrumentation;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
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
  void theRealAdviceMakesAListedInterfaceMethodAWorkflowOfItsImplementation() throws Exception {
    AgentConfig config = AgentConfig.from(Map.of("flowcost.service", "claims-bot",
        "flowcost.workflow.methods", Job.class.getName() + "#run")::get, name -> null);
    AgentContext.install(AgentContext.tracer(), config);
    ClassFileTransformer transformer = AgentInstallerAccess.transformer(config);
    try (FixtureLoader loader = new FixtureLoader(transformer)) {
      Job job = (Job) loader.loadClass(NightlyBatch.class.getName()).getConstructor().newInstance();
      assertThat(loader.transformed).containsExactly(NightlyBatch.class.getName());
      assertThat(job.run(false)).isEqualTo(2);
      assertThatThrownBy(() -> job.run(true)).isInstanceOf(IllegalStateException.class)
          .hasMessage("batch failed");
    }
    assertThat(Boundaries.workflows(telemetry, 2)).extracting(Boundaries.Recorded::toString)
        .containsExactly("Job.run [method, 2 calls]",
            "Job.run [method, 2 calls, failed java.lang.IllegalStateException]");
  }

  @Test
  void withTheUnitSwitchedOffNothingIsTransformed() throws Exception {
    AgentConfig config = AgentConfig.from(Map.of("flowcost.workflow.methods", Job.class.getName() + "#run",
        "flowcost.instrumentation.workflow-methods.enabled", "false")::get, name -> null);
    AgentContext.install(AgentContext.tracer(), config);
    try (FixtureLoader loader = new FixtureLoader(AgentInstallerAccess.transformer(config))) {
      Job job = (Job) loader.loadClass(NightlyBatch.class.getName()).getConstructor().newInstance();
      assertThat(job.run(false)).isEqualTo(2);
      assertThat(loader.transformed).isEmpty();
    }
    assertThat(Boundaries.workflows(telemetry, 0)).as("each call its own implicit workflow")
        .extracting(Boundaries.Recorded::source).containsExactly("implicit", "implicit");
  }

  /** Defines the fixture's classes itself, passing their bytes through the agent's transformer. */
  private static final class FixtureLoader extends URLClassLoader {
    final List<String> transformed = new CopyOnWriteArrayList<>();
    private final ClassFileTransformer transformer;

    FixtureLoader(ClassFileTransformer transformer) {
      super(new URL[0], WorkflowMethodsTest.class.getClassLoader());
      this.transformer = transformer;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(NightlyBatch.class.getName())) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          String internal = name.replace('.', '/');
          try (InputStream in = getParent().getResourceAsStream(internal + ".class")) {
            byte[] bytes = in.readAllBytes();
            byte[] changed = transformer.transform(this, internal, null, null, bytes);
            if (changed != null) {
              transformed.add(name);
              bytes = changed;
            }
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException | IllegalClassFormatException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
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
