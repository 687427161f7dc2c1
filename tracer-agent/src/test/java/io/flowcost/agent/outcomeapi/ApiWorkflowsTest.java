package io.flowcost.agent.outcomeapi;

import static io.flowcost.agent.context.SpanAttributes.ERROR_TYPE;
import static io.flowcost.agent.context.SpanAttributes.EXTERNAL_KEY;
import static io.flowcost.agent.context.SpanAttributes.WORKFLOW_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiWorkflowsTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  @Test
  void opensARootWorkflowWithTagsAndKeyAndNestedOpenJoinsIt() {
    assertThat(ApiWorkflows.currentWorkflowId()).isNull();

    Object outer = ApiWorkflows.open("summarize-claim", new String[] {"team", "fraud", "customer", "acme"}, "T-42");
    String id = ApiWorkflows.workflowId(outer);
    assertThat(id).hasSize(32);
    assertThat(ApiWorkflows.currentWorkflowId()).isEqualTo(id);

    Object inner = ApiWorkflows.open("ignored", null, null);
    assertThat(ApiWorkflows.workflowId(inner)).isEqualTo(id);
    ApiWorkflows.close(inner, null);
    assertThat(telemetry.spans()).isEmpty();
    assertThat(ApiWorkflows.currentWorkflowId()).isEqualTo(id);

    ApiWorkflows.close(outer, null);
    assertThat(ApiWorkflows.currentWorkflowId()).isNull();

    assertThat(telemetry.spans()).hasSize(1);
    SpanData root = telemetry.spans().get(0);
    assertThat(root.getTraceId()).isEqualTo(id);
    assertThat(root.getName()).isEqualTo("summarize-claim");
    assertThat(root.getAttributes().get(WORKFLOW_SOURCE)).isEqualTo("api");
    assertThat(root.getAttributes().get(EXTERNAL_KEY)).isEqualTo("T-42");
    // API tags override the configured ones; configured ones stay
    assertThat(root.getAttributes().get(AttributeKey.stringKey("flowcost.tag.team"))).isEqualTo("fraud");
    assertThat(root.getAttributes().get(AttributeKey.stringKey("flowcost.tag.env"))).isEqualTo("test");
    assertThat(root.getAttributes().get(AttributeKey.stringKey("flowcost.tag.customer"))).isEqualTo("acme");
  }

  @Test
  void closeWithErrorMarksTheWorkflowByExceptionClassOnly() {
    Object handle = ApiWorkflows.open("w", null, null);
    ApiWorkflows.close(handle, new IllegalArgumentException("secret"));
    ApiWorkflows.close(handle, null);

    SpanData root = telemetry.spans().get(0);
    assertThat(telemetry.spans()).hasSize(1);
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getAttributes().get(ERROR_TYPE)).isEqualTo("java.lang.IllegalArgumentException");
    assertThat(root.getStatus().getDescription()).doesNotContain("secret");
  }

  @Test
  void tasksCarryTheWorkflowToPoolThreadsOnlyWhileOneIsOpen() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Runnable plain = () -> {};
      assertThat(ContextTasks.wrap(plain)).isSameAs(plain);

      Object handle = ApiWorkflows.open("w", null, null);
      String id = ApiWorkflows.workflowId(handle);
      Future<String> seen = pool.submit(ContextTasks.wrap(ApiWorkflows::currentWorkflowId));
      Future<String> unwrapped = pool.submit(() -> ApiWorkflows.currentWorkflowId());
      ApiWorkflows.close(handle, null);

      assertThat(seen.get()).isEqualTo(id);
      assertThat(unwrapped.get()).isNull();
    } finally {
      pool.shutdownNow();
    }
  }
}
