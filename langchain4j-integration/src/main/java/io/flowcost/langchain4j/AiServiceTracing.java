package io.flowcost.langchain4j;

import io.flowcost.contract.WorkflowSource;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.observability.api.event.AiServiceCompletedEvent;
import dev.langchain4j.observability.api.event.AiServiceErrorEvent;
import dev.langchain4j.observability.api.event.AiServiceEvent;
import dev.langchain4j.observability.api.event.AiServiceResponseReceivedEvent;
import dev.langchain4j.observability.api.event.AiServiceStartedEvent;
import dev.langchain4j.observability.api.event.ToolExecutedEvent;
import dev.langchain4j.observability.api.listener.AiServiceCompletedListener;
import dev.langchain4j.observability.api.listener.AiServiceErrorListener;
import dev.langchain4j.observability.api.listener.AiServiceListener;
import dev.langchain4j.observability.api.listener.AiServiceResponseReceivedListener;
import dev.langchain4j.observability.api.listener.AiServiceStartedListener;
import dev.langchain4j.observability.api.listener.ToolExecutedEventListener;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * AI-service invocations as workflow or step spans, and tools as tool call spans, from
 * LangChain4j's AI-service events.
 *
 * <p>An invocation with no workflow open becomes the workflow span ({@code source=ai_service},
 * named {@code <Interface>.<method>}); inside an open workflow it is a step span. A tool reported
 * by {@link ToolExecutedEvent} (which fires after the tool ran) gets the time of the invocation's
 * previous event as its start, unless a {@link TracingToolExecutor} already recorded it exactly.
 */
final class AiServiceTracing {

  private static final System.Logger LOG = System.getLogger("io.flowcost.langchain4j");

  private final Recorder recorder;
  /** Tool requests a wrapped executor recorded; weak, as an event may never come for some. */
  private final Map<ToolExecutionRequest, Boolean> recordedTools =
      Collections.synchronizedMap(new WeakHashMap<>());

  AiServiceTracing(Recorder recorder) {
    this.recorder = recorder;
  }

  List<AiServiceListener<?>> listeners() {
    return List.of(
        (AiServiceStartedListener) event -> guard(event, this::started),
        (AiServiceResponseReceivedListener) event -> guard(event, this::touched),
        (ToolExecutedEventListener) event -> guard(event, this::toolExecuted),
        (AiServiceCompletedListener) event -> guard(event, this::completed),
        (AiServiceErrorListener) event -> guard(event, this::failed));
  }

  void markRecorded(ToolExecutionRequest request) {
    recordedTools.put(request, Boolean.TRUE);
  }

  private void started(AiServiceStartedEvent event) {
    InvocationContext invocation = event.invocationContext();
    String name = simpleName(invocation.interfaceName()) + "." + invocation.methodName();
    Context parent = recorder.parent(null);
    Span span;
    if (parent == null) {
      span = recorder.startWorkflow(name, WorkflowSource.AI_SERVICE.wire());
    } else {
      span =
          recorder
              .tracer()
              .spanBuilder(name)
              .setParent(parent)
              .setSpanKind(SpanKind.INTERNAL)
              .setAttribute(Attributes.STEP, true)
              .setAttribute(Attributes.STEP_NAME, name)
              .startSpan();
    }
    Object memoryId = invocation.chatMemoryId();
    if (memoryId != null && !"default".equals(memoryId)) {
      span.setAttribute(Attributes.CONVERSATION_ID, String.valueOf(memoryId));
    }
    recorder.enter(invocation.invocationId(), span);
  }

  private void touched(AiServiceResponseReceivedEvent event) {
    Recorder.Invocation invocation = recorder.find(id(event));
    if (invocation != null) {
      invocation.lastEventNanos().set(Recorder.nowNanos());
    }
  }

  private void toolExecuted(ToolExecutedEvent event) {
    long now = Recorder.nowNanos();
    Recorder.Invocation invocation = recorder.find(id(event));
    long start = now;
    if (invocation != null) {
      start = invocation.lastEventNanos().getAndSet(now);
    }
    if (event.request() == null || recordedTools.remove(event.request()) != null) {
      return;
    }
    Context parent = recorder.parent(id(event));
    if (parent == null) {
      return; // a tool outside any workflow is no call of any workflow
    }
    Span span = TracingToolExecutor.toolSpan(recorder, event.request(), parent)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS)
        .startSpan();
    span.end(now, TimeUnit.NANOSECONDS);
  }

  private void completed(AiServiceCompletedEvent event) {
    Recorder.Invocation invocation = recorder.exit(id(event));
    if (invocation != null) {
      invocation.span().end();
    }
  }

  private void failed(AiServiceErrorEvent event) {
    Recorder.Invocation invocation = recorder.exit(id(event));
    if (invocation != null) {
      if (event.error() != null) {
        Recorder.fail(invocation.span(), event.error());
      }
      invocation.span().end();
    }
  }

  private static UUID id(AiServiceEvent event) {
    InvocationContext context = event.invocationContext();
    return context == null ? null : context.invocationId();
  }

  static String simpleName(String interfaceName) {
    if (interfaceName == null) {
      return "AiService";
    }
    String simple = interfaceName.substring(interfaceName.lastIndexOf('.') + 1);
    return simple.substring(simple.lastIndexOf('$') + 1);
  }

  /** Listeners must never disturb the AI service: anything they throw is logged by class only. */
  private static <T extends AiServiceEvent> void guard(T event, java.util.function.Consumer<T> body) {
    try {
      body.accept(event);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Flowcost: AI-service event not recorded: {0}", e.getClass().getName());
    }
  }
}
