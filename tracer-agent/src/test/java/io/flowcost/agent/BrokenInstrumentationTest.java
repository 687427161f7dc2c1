package io.flowcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.agent.langchain4j.tool.ToolTracing;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BrokenInstrumentationTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  @AfterEach
  void repair() {
    BrokenInstrumentation.install(Set.of());
  }

  @Test
  void isReadOnceFromTheConfigAndAllNamesEveryKind() {
    AgentConfig none = AgentConfig.from(Map.<String, String>of()::get, name -> null);
    AgentConfig all =
        AgentConfig.from(Map.of("flowcost.testing.break-instrumentation", " ALL ")::get, name -> null);
    AgentConfig two =
        AgentConfig.from(
            name -> null,
            Map.of("FLOWCOST_TESTING_BREAK_INSTRUMENTATION", "tool, embedding")::get);

    assertThat(none.brokenInstrumentations()).isEmpty();
    assertThat(none.toString()).doesNotContain("broken");
    assertThat(all.brokenInstrumentations())
        .containsExactlyInAnyOrder(BrokenInstrumentation.KINDS.split(","));
    assertThat(two.brokenInstrumentations()).containsExactly("tool", "embedding");
  }

  @Test
  void onlyTheBrokenKindThrowsAndEveryThrowIsCounted() {
    BrokenInstrumentation.install(Set.of("tool"));
    long before = BrokenInstrumentation.injected();

    BrokenInstrumentation.check("chat");
    assertThatThrownBy(() -> BrokenInstrumentation.check("tool"))
        .isInstanceOf(BrokenInstrumentation.InjectedFailure.class)
        .hasNoCause();
    assertThatThrownBy(() -> BrokenInstrumentation.check("tool"))
        .isInstanceOf(RuntimeException.class);

    assertThat(BrokenInstrumentation.injected() - before).isEqualTo(2);
  }

  /** Stands in for {@code ToolExecutionRequest}. */
  public static final class Request {
    public String name() {
      return "lookupPolicy";
    }
  }

  @Test
  void aBrokenHelperSwallowsItsFailureCountsItAndRecordsNothing() {
    BrokenInstrumentation.install(Set.of("tool"));
    long failures = AgentLog.failures();

    for (int i = 0; i < 3; i++) {
      Object token = ToolTracing.enter(new Request());
      ToolTracing.exit(token, null, null);
    }

    assertThat(AgentLog.failures() - failures).isEqualTo(3);
    assertThat(telemetry.spans()).isEmpty();

    BrokenInstrumentation.install(Set.of());
    ToolTracing.exit(ToolTracing.enter(new Request()), null, null);
    assertThat(telemetry.spans()).hasSize(1);
  }
}
