package io.flowcost.langchain4j;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.contract.WorkflowSource;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Records one model call span per logical chat call.
 *
 * <p>LangChain4j fires listeners once per logical call, around its own retries, so the call span
 * is the only attempt ({@code flowcost.attempts} absent) and carries the usage the client parsed.
 * The span travels in the call's listener attributes, so a streaming response completing on
 * another thread still ends it. A call with no workflow open gets an implicit workflow span.
 */
final class ModelCallListener implements ChatModelListener {

  private static final System.Logger LOG = System.getLogger("io.flowcost.langchain4j");
  private static final Object STATE = new Object() {
    @Override
    public String toString() {
      return "flowcost.call";
    }
  };

  private final Recorder recorder;
  private final boolean streaming;

  ModelCallListener(Recorder recorder, boolean streaming) {
    this.recorder = recorder;
    this.streaming = streaming;
  }

  @Override
  public void onRequest(ChatModelRequestContext context) {
    try {
      ChatRequest request = context.chatRequest();
      String model = requestModel(request);
      Context parent = recorder.parent(null);
      Span workflow = null;
      if (parent == null) {
        String name = recorder.serviceName() + ":chat" + (model == null ? "" : " " + model);
        workflow = recorder.startWorkflow(name, WorkflowSource.IMPLICIT.wire());
        parent = Context.root().with(workflow);
      }
      Span span =
          recorder
              .tracer()
              .spanBuilder(model == null ? "chat" : "chat " + model)
              .setParent(parent)
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute(Attributes.CALL_KIND, CallKind.MODEL.wire())
              .setAttribute(Attributes.OPERATION, GenAiOperation.CHAT.wire())
              .setAttribute(Attributes.REQUEST_STREAM, streaming)
              .startSpan();
      String provider = ProviderNames.of(context.modelProvider());
      if (provider != null) {
        span.setAttribute(Attributes.PROVIDER, provider);
      }
      if (model != null) {
        span.setAttribute(Attributes.REQUEST_MODEL, model);
      }
      context.attributes().put(STATE, new Call(span, workflow));
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Flowcost: model call not recorded: {0}", e.getClass().getName());
    }
  }

  @Override
  public void onResponse(ChatModelResponseContext context) {
    if (!(context.attributes().remove(STATE) instanceof Call call)) {
      return;
    }
    try {
      ChatResponse response = context.chatResponse();
      ChatResponseMetadata metadata = response == null ? null : response.metadata();
      if (metadata != null) {
        if (metadata.modelName() != null) {
          call.span.setAttribute(Attributes.RESPONSE_MODEL, metadata.modelName());
        }
        if (metadata.id() != null) {
          call.span.setAttribute(Attributes.RESPONSE_ID, metadata.id());
        }
        if (metadata.finishReason() != null) {
          call.span.setAttribute(Attributes.FINISH_REASONS, List.of(finishReason(metadata.finishReason())));
        }
        Usage.record(call.span, metadata.tokenUsage());
        // OpenAiChatResponseMetadata.serviceTier(), read by name: no compile-time provider dependency.
        if (Usage.call(metadata, "serviceTier") instanceof String tier && !tier.isBlank()) {
          call.span.setAttribute(Attributes.SERVICE_TIER, tier);
        }
      }
    } finally {
      call.end(null);
    }
  }

  @Override
  public void onError(ChatModelErrorContext context) {
    if (context.attributes().remove(STATE) instanceof Call call) {
      call.end(context.error());
    }
  }

  private static String requestModel(ChatRequest request) {
    if (request == null) {
      return null;
    }
    if (request.modelName() != null) {
      return request.modelName();
    }
    return request.parameters() == null ? null : request.parameters().modelName();
  }

  /** LangChain4j's finish reason as the provider-neutral semantic-convention value. */
  static String finishReason(FinishReason reason) {
    return switch (reason.name()) {
      case "STOP" -> "stop";
      case "LENGTH" -> "length";
      case "TOOL_EXECUTION" -> "tool_calls";
      case "CONTENT_FILTER" -> "content_filter";
      default -> reason.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** A call span in flight and the implicit workflow span opened for it, if any. */
  private record Call(Span span, Span workflow) {
    void end(Throwable error) {
      if (error != null) {
        Recorder.fail(span, error);
      }
      span.end();
      if (workflow != null) {
        if (error != null) {
          Recorder.fail(workflow, error);
        }
        workflow.end();
      }
    }
  }
}
