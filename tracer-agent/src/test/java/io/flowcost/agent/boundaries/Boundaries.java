package io.flowcost.agent.boundaries;

import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What the boundary tests share: a simulated model call, a client, and the recorded workflows. */
final class Boundaries {

  private Boundaries() {}

  /** A model call as an SDK hook records it: a logical call started and ended in this context. */
  static void modelCall() {
    LogicalCall call = LogicalCall.start("model", "chat", "openai", "gpt-4o-mini", false);
    call.end("gpt-4o-mini", null, null, null);
  }

  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Sends a request and returns its status (bounded in time). */
  static int send(String method, String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{\"claim\":1}"))
        .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** One recorded workflow: its root span and the call spans of its trace. */
  record Recorded(SpanData root, List<SpanData> calls) {
    String name() {
      return root.getName();
    }

    String source() {
      return root.getAttributes().get(SpanAttributes.WORKFLOW_SOURCE);
    }

    boolean failed() {
      return root.getStatus().getStatusCode() == StatusCode.ERROR;
    }

    String errorType() {
      return root.getAttributes().get(SpanAttributes.ERROR_TYPE);
    }

    @Override
    public String toString() {
      return name() + " [" + source() + ", " + calls.size() + " calls"
          + (failed() ? ", failed " + errorType() : "") + "]";
    }
  }

  /**
   * Waits (at most 10 s: a workflow may end just after its response reached the client) until
   * {@code count} workflows were recorded, then returns them in the order they ended.
   */
  static List<Recorded> workflows(AgentTelemetryExtension telemetry, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Recorded> found = collect(telemetry);
    while (found.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      found = collect(telemetry);
    }
    return found;
  }

  private static List<Recorded> collect(AgentTelemetryExtension telemetry) {
    List<SpanData> spans = new ArrayList<>(telemetry.spans());
    List<Recorded> out = new ArrayList<>();
    for (SpanData root : spans) {
      if (Boolean.TRUE.equals(root.getAttributes().get(SpanAttributes.WORKFLOW_ROOT))) {
        out.add(new Recorded(root, spans.stream()
            .filter(s -> s != root && s.getTraceId().equals(root.getTraceId()))
            .collect(Collectors.toList())));
      }
    }
    return out;
  }
}
