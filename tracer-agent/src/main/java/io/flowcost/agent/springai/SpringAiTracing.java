package io.flowcost.agent.springai;

import io.flowcost.contract.WorkflowSource;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.concurrent.ReactorPublishers;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.context.ToolSpans;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.context.WorkflowRefused;
import io.flowcost.agent.http.RequestHints;
import io.flowcost.agent.http.RetryGroup;
import io.flowcost.agent.langchain4j.Reflect;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.Optional;

/**
 * Helpers of the Spring AI advice ({@code springai.*Advice}). Spring AI objects are typed {@code
 * Object} and read reflectively.
 *
 * <ul>
 *   <li>a {@code ChatClient} {@code call()} or {@code stream()} invocation is a workflow (source
 *       {@code ai_service}) when none is open, else a step of the open one; its default name is the
 *       application code that made it, {@code <SimpleClass>.<method>} — the first frame outside
 *       Spring, Reactor, Micrometer and the JDK — else {@code ChatClient.call} / {@code
 *       ChatClient.stream}; a {@code stream()} lasts from subscription to termination;
 *   <li>the {@code chat_memory_conversation_id} advisor parameter ({@code
 *       ChatMemory.CONVERSATION_ID}) becomes the workflow's conversation id;
 *   <li>a {@code ChatModel.call/stream(Prompt)} made outside any workflow opens one the same way;
 *       the model it asks for (the prompt's options, else the model's defaults) and whether it
 *       streams reach the HTTP layer as {@link RequestHints};
 *   <li>a Spring {@code RetryTemplate} loop run by Spring AI code is a {@link RetryGroup}: its
 *       model exchanges are one logical call's attempts;
 *   <li>each {@code ToolCallback.call} is an {@code execute_tool <name>} span of kind {@code tool}
 *       (a callback that delegates to another counts once).
 * </ul>
 */
public final class SpringAiTracing {

  /** {@code ChatMemory.CONVERSATION_ID}, the advisor parameter naming the conversation. */
  static final String CONVERSATION_ID = "chat_memory_conversation_id";

  private static final ContextKey<Boolean> IN_TOOL = ContextKey.named("flowcost-springai-tool");

  /**
   * The {@code ChatClientRequest} whose {@code call()} invocation is current: Spring AI 2's
   * one-argument {@code doGetObservableChatClientResponse} delegates to the two-argument one, and
   * both are hooked, so the inner one of the same request is no second invocation.
   */
  private static final ContextKey<Object> CLIENT_REQUEST =
      ContextKey.named("flowcost-springai-client-request");

  private SpringAiTracing() {}

  // ---- ChatClient -------------------------------------------------------------------------

  /**
   * Entry of {@code DefaultCallResponseSpec.doGetObservableChatClientResponse(request)}: a token
   * for {@link #clientCallExit}, or a {@link CapRefusal} when the new workflow's owner is at its
   * hard budget (the advice then skips the call and its exit throws the refusal).
   */
  public static Object clientCallEnter(Object request) {
    try {
      if (request != null && Context.current().get(CLIENT_REQUEST) == request) {
        return null; // the nested form of the same invocation (Spring AI 2)
      }
      Invocation invocation =
          Invocation.start(callerName("ChatClient.call"), conversation(request), loaderOf(request));
      return invocation.enter(request);
    } catch (WorkflowRefused refused) {
      return CapRefusal.of(refused.exception());
    } catch (Throwable t) {
      AgentLog.failure("spring ai client call enter", t);
      return null;
    }
  }

  /** Exit of a {@code call()} invocation: what the call throws (the refusal, when refused). */
  public static Throwable clientCallExit(Object token, Throwable thrown) {
    if (token instanceof Entered) {
      ((Entered) token).exit(thrown);
    }
    return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
  }

  /**
   * Exit of {@code DefaultStreamResponseSpec.doGetObservableFluxChatResponse(request)}: the returned
   * flux, wrapped so that each subscription is an invocation lasting until it terminates.
   */
  public static Object clientStream(Object request, Object flux) {
    if (flux == null) {
      return null;
    }
    try {
      String name = callerName("ChatClient.stream");
      String conversation = conversation(request);
      ClassLoader loader = loaderOf(flux);
      return ReactorPublishers.aroundSubscribe(flux, () -> {
        try {
          Invocation invocation = Invocation.start(name, conversation, loader);
          return ReactorPublishers.Subscription.in(invocation.context, error -> invocation.end(null));
        } catch (WorkflowRefused refused) {
          // the subscriber gets the refusal as the stream's error; no request is sent
          return ReactorPublishers.Subscription.refused(refused.exception());
        } catch (Throwable t) {
          AgentLog.failure("spring ai client stream subscribe", t);
          return null;
        }
      });
    } catch (Throwable t) {
      AgentLog.failure("spring ai client stream", t);
      return flux;
    }
  }

  // ---- ChatModel --------------------------------------------------------------------------

  /**
   * Entry of {@code ChatModel.call(Prompt)}: hints, and a workflow when none is open (or a {@link
   * CapRefusal} when that workflow is refused, as for {@link #clientCallEnter}).
   */
  public static Object modelCallEnter(Object model, Object prompt) {
    try {
      RequestHints hints = new RequestHints(modelOf(model, prompt), false);
      Invocation workflow = AgentContext.currentWorkflow() == null
          ? Invocation.start(callerName("ChatModel.call"), null, loaderOf(model)) : null;
      Context context = hints.storeIn(workflow != null ? workflow.context : Context.current());
      return new Entered(workflow, context.makeCurrent());
    } catch (WorkflowRefused refused) {
      return CapRefusal.of(refused.exception());
    } catch (Throwable t) {
      AgentLog.failure("spring ai model call enter", t);
      return null;
    }
  }

  /** Exit of {@code ChatModel.call(Prompt)}: what the call throws (the refusal, when refused). */
  public static Throwable modelCallExit(Object token, Throwable thrown) {
    if (token instanceof Entered) {
      ((Entered) token).exit(thrown);
    }
    return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
  }

  /** Exit of {@code ChatModel.stream(Prompt)}: the flux, sending with hints when subscribed. */
  public static Object modelStream(Object model, Object prompt, Object flux) {
    if (flux == null) {
      return null;
    }
    try {
      RequestHints hints = new RequestHints(modelOf(model, prompt), true);
      String name = AgentContext.currentWorkflow() == null ? callerName("ChatModel.stream") : null;
      ClassLoader loader = loaderOf(model);
      return ReactorPublishers.aroundSubscribe(flux, () -> {
        try {
          if (AgentContext.currentWorkflow() != null || name == null) {
            return ReactorPublishers.Subscription.in(hints.storeIn(Context.current()), null);
          }
          Invocation invocation = Invocation.start(name, null, loader);
          return ReactorPublishers.Subscription.in(
              hints.storeIn(invocation.context), error -> invocation.end(null));
        } catch (WorkflowRefused refused) {
          return ReactorPublishers.Subscription.refused(refused.exception());
        } catch (Throwable t) {
          AgentLog.failure("spring ai model stream subscribe", t);
          return null;
        }
      });
    } catch (Throwable t) {
      AgentLog.failure("spring ai model stream", t);
      return flux;
    }
  }

  /** The prompt's model, else the chat model's default one; {@code null} when neither says. */
  static String modelOf(Object chatModel, Object prompt) {
    String model = Reflect.callString(Reflect.call(prompt, "getOptions"), "getModel");
    if (model == null) {
      model = Reflect.callString(Reflect.call(chatModel, "getDefaultOptions"), "getModel");
    }
    return model;
  }

  // ---- retries ----------------------------------------------------------------------------

  /**
   * Entry of a Spring {@code RetryTemplate} loop: a {@link RetryGroup} when the retried code is
   * Spring AI's (its callback class lives under {@code org.springframework.ai.}), else nothing.
   */
  public static Object retryEnter(Object callback) {
    try {
      if (callback == null || !callback.getClass().getName().startsWith("org.springframework.ai.")) {
        return null;
      }
      return RetryGroup.open();
    } catch (Throwable t) {
      AgentLog.failure("spring ai retry enter", t);
      return null;
    }
  }

  /** Exit of the retry loop. */
  public static void retryExit(Object token, Throwable thrown) {
    if (token instanceof RetryGroup.Token) {
      try {
        ((RetryGroup.Token) token).close(thrown);
      } catch (Throwable t) {
        AgentLog.failure("spring ai retry exit", t);
      }
    }
  }

  // ---- tools ------------------------------------------------------------------------------

  /**
   * Entry of {@code ToolCallback.call(..)}; a nested call of the same execution counts once. A
   * {@link CapRefusal} when the workflow's caps refuse the tool call (the advice then skips the
   * tool and its exit throws the refusal, which Spring AI passes up to the app: it is not a
   * {@code ToolExecutionException}).
   */
  public static Object toolEnter(Object callback) {
    try {
      if (Boolean.TRUE.equals(Context.current().get(IN_TOOL))) {
        return null;
      }
      CapRefusal refusal = CapGuard.beforeToolCall(loaderOf(callback));
      if (refusal != null) {
        return refusal;
      }
      String tool = Reflect.callString(Reflect.call(callback, "getToolDefinition"), "name");
      Span span = ToolSpans.builder(tool).startSpan(); // the one shape of a tool span
      Scope scope = Context.current().with(span).with(IN_TOOL, Boolean.TRUE).makeCurrent();
      return new Tool(span, scope);
    } catch (Throwable t) {
      AgentLog.failure("spring ai tool enter", t);
      return null;
    }
  }

  /**
   * Exit of the tool call: status ERROR with the tool's exception class when it threw. Returns
   * what the call throws (the refusal, when refused).
   */
  public static Throwable toolExit(Object token, Throwable thrown) {
    if (!(token instanceof Tool)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    Tool tool = (Tool) token;
    try {
      tool.scope.close();
      if (thrown != null) {
        Throwable cause = thrown;
        // Spring AI wraps what the tool method threw in a ToolExecutionException
        while (cause.getCause() != null && cause.getCause() != cause
            && cause.getClass().getName().startsWith("org.springframework.ai.")) {
          cause = cause.getCause();
        }
        AgentContext.recordError(tool.span, cause.getClass().getName());
      }
      tool.span.end();
    } catch (Throwable t) {
      AgentLog.failure("spring ai tool exit", t);
    }
    return thrown;
  }

  // ---- shared -----------------------------------------------------------------------------

  /** The class loader of one of the app's (Spring AI's) objects, {@code null} when none. */
  static ClassLoader loaderOf(Object appObject) {
    return appObject == null ? null : appObject.getClass().getClassLoader();
  }

  /** The conversation id among a {@code ChatClientRequest}'s context, or {@code null}. */
  static String conversation(Object request) {
    Object context = Reflect.call(request, "context");
    if (!(context instanceof Map)) {
      return null;
    }
    Object id = ((Map<?, ?>) context).get(CONVERSATION_ID);
    return id == null ? null : String.valueOf(id);
  }

  /**
   * The application code that made the call: {@code <SimpleClass>.<method>} of the first stack
   * frame outside Spring, Reactor, Micrometer, the JDK and the agent (a lambda's enclosing
   * method), else {@code fallback}. Class and method names only: never an argument.
   */
  static String callerName(String fallback) {
    Optional<StackWalker.StackFrame> frame =
        StackWalker.getInstance().walk(s -> s.filter(f -> !framework(f.getClassName())).findFirst());
    if (frame.isEmpty()) {
      return fallback;
    }
    String type = frame.get().getClassName();
    String simple = type.substring(type.lastIndexOf('.') + 1);
    int lambda = simple.indexOf("$$Lambda");
    if (lambda > 0) {
      simple = simple.substring(0, lambda);
    }
    String method = frame.get().getMethodName();
    if (method.startsWith("lambda$")) {
      int end = method.indexOf('$', "lambda$".length());
      method = end > 0 ? method.substring("lambda$".length(), end) : method;
    }
    return simple + '.' + method;
  }

  private static boolean framework(String type) {
    return type.startsWith("org.springframework.")
        || type.startsWith("io.flowcost.agent.")
        || type.startsWith("reactor.")
        || type.startsWith("io.micrometer.")
        || type.startsWith("java.")
        || type.startsWith("jdk.")
        || type.startsWith("sun.")
        || type.startsWith("com.sun.")
        || type.startsWith("kotlin.")
        || type.startsWith("kotlinx.");
  }

  /** A workflow or step: started, made current by {@link #enter}, ended once. */
  private static final class Invocation {
    final Span span;
    final Context context;
    private boolean ended;

    private Invocation(Span span, Context context) {
      this.span = span;
      this.context = context;
    }

    /**
     * A new workflow, or a step of the open one.
     *
     * @param appLoader the app's class loader, to create a refusal's exception from
     * @throws WorkflowRefused when the new workflow's owner is at its hard budget (enforce mode)
     */
    static Invocation start(String name, String conversation, ClassLoader appLoader) {
      Workflow open = AgentContext.currentWorkflow();
      if (open == null) {
        Workflow workflow = AgentContext.startWorkflow(
            name, WorkflowSource.AI_SERVICE.wire(), null, null, null, appLoader);
        workflow.conversation(conversation);
        return new Invocation(workflow.rootSpan(), workflow.attach(Context.current()));
      }
      open.conversation(conversation);
      Span span =
          AgentContext.tracer()
              .spanBuilder(name)
              .setAttribute(SpanAttributes.STEP, true)
              .setAttribute(SpanAttributes.STEP_NAME, name)
              .startSpan();
      return new Invocation(span, Context.current().with(span));
    }

    /** Makes this invocation of {@code request} (may be {@code null}) current. */
    Entered enter(Object request) {
      Context current = request == null ? context : context.with(CLIENT_REQUEST, request);
      return new Entered(this, current.makeCurrent());
    }

    synchronized void end(Throwable error) {
      if (ended) {
        return;
      }
      ended = true;
      if (error != null) {
        AgentContext.recordError(span, error);
      }
      span.end();
    }
  }

  /** An invocation (or none) and the scope to close on exit. */
  private static final class Entered {
    final Invocation invocation;
    final Scope scope;

    Entered(Invocation invocation, Scope scope) {
      this.invocation = invocation;
      this.scope = scope;
    }

    void exit(Throwable thrown) {
      try {
        scope.close();
        if (invocation != null) {
          invocation.end(thrown);
        }
      } catch (Throwable t) {
        AgentLog.failure("spring ai exit", t);
      }
    }
  }

  private static final class Tool {
    final Span span;
    final Scope scope;

    Tool(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }
  }
}
