package io.flowcost.agent.langchain4j.chat;

import io.flowcost.contract.CallKind;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.langchain4j.ClientUsage;
import io.flowcost.agent.langchain4j.ProviderNames;
import io.flowcost.agent.langchain4j.Proxies;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.langchain4j.TypedReads;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Locale;

/**
 * Logical model calls: {@code ChatModel.chat(ChatRequest[, ChatRequestOptions])} and the streaming
 * overloads of {@code StreamingChatModel}. Called from inlined advice with LangChain4j objects typed
 * as {@code Object}.
 */
public final class ChatTracing {

  /** Returned for nested calls: only the depth is counted. */
  public static final Object NESTED = new Object();

  private static final CallDepth DEPTH = new CallDepth();

  // read at these sites only: each keeps the one class it sees (Reflect.Getter)
  private static final Reflect.Getter REQUEST_MODEL = Reflect.getter("modelName");
  private static final Reflect.Getter DEFAULT_PARAMETERS = Reflect.getter("defaultRequestParameters");
  private static final Reflect.Getter DEFAULT_MODEL = Reflect.getter("modelName");
  private static final Reflect.Getter RESPONSE_MODEL = Reflect.getter("modelName");
  private static final Reflect.Getter FINISH_REASON = Reflect.getter("finishReason");
  private static final Reflect.Getter TOKEN_USAGE = Reflect.getter("tokenUsage");

  /**
   * Whether {@link ChatAdvice} reads the call's values with plain calls: until a LangChain4j line
   * lacks one of them ({@link TypedReads}).
   */
  public static final TypedReads TYPED =
      new TypedReads("langchain4j-chat-untyped", "LangChain4j chat values");

  private ChatTracing() {}

  /** Whether {@link #exit} ends a call with this token (not nested, not refused). */
  public static boolean ends(Object token) {
    return token instanceof Token && !((Token) token).streaming;
  }

  /**
   * {@link #enter(Object, Object, boolean)} of a synchronous call whose values the advice read:
   * {@code provider} is the model's {@code provider()} ({@code ModelProvider}), {@code
   * requestModel} the request's model name, else the model's default parameters'.
   */
  public static Object enter(Object model, Object provider, String requestModel) {
    return enter(model, null, provider, requestModel, false);
  }

  /**
   * Entry of a chat call; returns a token for {@link #exit}, or a {@link CapRefusal} when the
   * workflow's caps refuse the call (the advice then skips the method). Never throws.
   */
  public static Object enter(Object model, Object request, boolean streaming) {
    return enter(model, request, TypedReads.UNREAD, null, streaming);
  }

  /** Either entry: {@code provider} {@link TypedReads#UNREAD} when the values are read here, from {@code request}. */
  private static Object enter(
      Object model, Object request, Object provider, String requestModel, boolean streaming) {
    CallDepth.Counters depths = CallDepth.counters(); // handed to exit in the token
    if (DEPTH.increment(depths) > 1) {
      return NESTED;
    }
    // read once for the cap check and the call's parent, and the context's workflow once for
    // both (each look-up is met cold in situ)
    Context current = Context.current();
    Workflow workflow = null;
    boolean workflowRead = false;
    try {
      workflow = AgentContext.currentWorkflow(current);
      workflowRead = true;
      CapRefusal refusal = CapGuard.beforeModelCallIn(
          model == null ? null : model.getClass().getClassLoader(), workflow);
      if (refusal != null) {
        return refusal;
      }
    } catch (Throwable t) {
      AgentLog.failure("chat cap check", t);
    }
    try {
      BrokenInstrumentation.check(streaming ? "streaming" : "chat");
      LogicalCall call =
          LogicalCall.start(
              CallKind.MODEL.wire(),
              GenAiOperation.CHAT.wire(),
              provider == TypedReads.UNREAD ? ProviderNames.of(model) : ProviderNames.of(model, provider),
              provider == TypedReads.UNREAD ? requestModel(model, request) : requestModel,
              streaming,
              current,
              workflowRead ? workflow : AgentContext.currentWorkflow(current));
      return new Token(call, call.context().makeCurrent(), streaming, depths);
    } catch (Throwable t) {
      AgentLog.failure(streaming ? "streaming chat enter" : "chat enter", t);
      return NESTED;
    }
  }

  /**
   * Exit of a chat call. A synchronous call ends here; a streaming one only when it threw (else its
   * handler ends it).
   *
   * @return what the method should throw: {@code thrown}, or a refusal's exception
   */
  public static Throwable exit(Object token, Object response, Throwable thrown) {
    return exit(token, response, thrown, null, TypedReads.UNREAD);
  }

  /**
   * {@link #exit(Object, Object, Throwable)} of a synchronous call whose response's model name and
   * {@code finishReason()} the advice read.
   */
  public static Throwable exit(
      Object token, Object response, Throwable thrown, String responseModel, Object finishReason) {
    if (!(token instanceof Token)) {
      DEPTH.decrement();
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    Token t = (Token) token;
    DEPTH.decrement(t.depths);
    try {
      t.scope.close();
      if (!t.streaming || thrown != null) {
        if (finishReason == TypedReads.UNREAD) {
          end(t.call, response, thrown);
        } else {
          end(t.call, response, thrown, responseModel, finishReason);
        }
      }
    } catch (Throwable e) {
      AgentLog.failure("chat exit", e);
    }
    return thrown;
  }

  /** Wraps a streaming handler so that its completion ends the call; unchanged when nested. */
  public static Object wrapHandler(Object token, Object handler) {
    if (!(token instanceof Token) || handler == null) {
      return handler;
    }
    try {
      return Proxies.wrap(
          handler,
          "dev.langchain4j.model.chat.response.StreamingChatResponseHandler",
          new StreamingHandlerProxy(((Token) token).call, handler));
    } catch (Throwable e) {
      AgentLog.failure("chat wrap handler", e);
      return handler;
    }
  }

  /** Ends a call with a {@code ChatResponse} (read reflectively) or an error. */
  static void end(LogicalCall call, Object response, Throwable error) {
    if (response == null) {
      end(call, null, error, null, null);
    } else {
      end(call, response, error, RESPONSE_MODEL.callString(response), FINISH_REASON.call(response));
    }
  }

  /** {@link #end(LogicalCall, Object, Throwable)} with the response's values already read. */
  private static void end(
      LogicalCall call, Object response, Throwable error, String responseModel, Object reason) {
    // one object gives both what is read late: the usage LangChain4j parsed (read only when no
    // attempt read usage from the wire) and the answer's model and finish reasons
    Answer answer = response == null ? null : new Answer(responseModel, reason, response);
    // a call that answered: its model and finish reasons become attributes on the export thread
    // when nothing needs them now (no cap), from the values read here (a String and a constant)
    if (error == null && answer != null && call.endWithResponseLater(answer, answer)) {
      return;
    }
    List<String> finish = reason instanceof Enum ? finishReasons((Enum<?>) reason) : null;
    call.endWithClientUsage(responseModel, finish, answer, error);
  }

  /**
   * A {@code ChatResponse}'s model name and {@code FinishReason}, made attributes when the call
   * span is read, and the response itself, whose {@code tokenUsage()} is read only if the wire
   * gave no usage. One object for both (a per-call object fewer than a usage lambda beside it):
   * each is kept until the call's answer is read, so neither outlives the other.
   */
  private static final class Answer
      implements LogicalCall.LateResponse, java.util.function.Supplier<Usage> {
    private final String model;
    private final Object reason;
    private final Object response;

    Answer(String model, Object reason, Object response) {
      this.model = model;
      this.reason = reason;
      this.response = response;
    }

    @Override
    public String model() {
      return model;
    }

    @Override
    public List<String> finishReasons() {
      return reason instanceof Enum ? ChatTracing.finishReasons((Enum<?>) reason) : null;
    }

    /** The usage LangChain4j parsed ({@code ChatResponse.tokenUsage()}), or {@code null}. */
    @Override
    public Usage get() {
      return ClientUsage.from(TOKEN_USAGE.call(response));
    }
  }

  /**
   * {@code gen_ai.response.finish_reasons} of a LangChain4j {@code FinishReason} constant: its
   * name in lower case, as a one-element list built once per constant (per enum class, so an
   * application's class loader is not kept).
   */
  static List<String> finishReasons(Enum<?> reason) {
    List<String>[] byOrdinal = FINISH_REASONS.get(reason.getDeclaringClass());
    int ordinal = reason.ordinal();
    if (ordinal >= byOrdinal.length) {
      return List.of(reason.name().toLowerCase(Locale.ROOT));
    }
    List<String> reasons = byOrdinal[ordinal];
    if (reasons == null) {
      reasons = List.of(reason.name().toLowerCase(Locale.ROOT));
      byOrdinal[ordinal] = reasons; // a benign race: equal lists
    }
    return reasons;
  }

  @SuppressWarnings("unchecked")
  private static final ClassValue<List<String>[]> FINISH_REASONS = new ClassValue<>() {
    @Override
    protected List<String>[] computeValue(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      return new List[constants == null ? 0 : constants.length];
    }
  };

  private static String requestModel(Object model, Object request) {
    String name = REQUEST_MODEL.callString(request);
    if (name == null) {
      name = DEFAULT_MODEL.callString(DEFAULT_PARAMETERS.call(model));
    }
    return name;
  }

  private static final class Token {
    final LogicalCall call;
    final Scope scope;
    final boolean streaming;
    /** This thread's nesting counters, read at enter: the exit decrements them without a look-up. */
    final CallDepth.Counters depths;

    Token(LogicalCall call, Scope scope, boolean streaming, CallDepth.Counters depths) {
      this.call = call;
      this.scope = scope;
      this.streaming = streaming;
      this.depths = depths;
    }
  }
}
