package io.flowcost.agent.aws;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.caps.CapGuard;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.usage.ToolAnswer;
import io.flowcost.agent.usage.ToolWire;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.contract.Provider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Logical calls of the AWS SDK v2 Bedrock Runtime client. One operation ({@code Converse}, {@code
 * ConverseStream}, {@code InvokeModel}, {@code InvokeModelWithResponseStream}) is one logical call,
 * opened where the SDK's client handler starts it (on the caller's thread, sync and async alike),
 * unless a logical call is already open (a framework above the SDK counts it). Its attempts are
 * reported by {@link BedrockInterceptor}, which the SDK runs around every HTTP attempt whatever
 * the HTTP client — so while the call is current the HTTP-client units below (Apache 4,
 * {@code HttpURLConnection}) see a logical call and record nothing: one call, counted once.
 *
 * <p>The request model is the {@code modelId} as the application passed it (a foundation model
 * id, an inference profile such as {@code us.anthropic.…}, or an ARN); pricing strips ARN prefixes
 * ({@code docs/pricing.md}).
 *
 * <p>A function-calling loop the application runs over Converse or ConverseStream is seen on the
 * wire ({@link ToolLoop}, {@link ToolWire#BEDROCK_CONVERSE}): the {@code toolUse} blocks of an
 * answer (whole, or opened by a stream's {@code contentBlockStart}) are the tool calls asked, and
 * the {@code toolResult} blocks of a later request answer them — one {@code tool} row each, failed
 * when the result says {@code status: "error"}. Bedrock's ids are unique, so no workflow key is
 * needed to pair them.
 */
public final class BedrockTracing {

  /** The call the client handler opened, for the interceptor's {@code beforeExecution}. */
  static final ContextKey<SdkCall> KEY = ContextKey.named("flowcost-bedrock-call");

  /**
   * On a Converse/ConverseStream call whose tool results the interceptor should read: when the
   * call started (epoch nanoseconds), where the tool rows it answers end.
   */
  static final ContextKey<Long> TOOL_LOOP = ContextKey.named("flowcost-bedrock-tool-loop");

  /** The interceptor list resource of Bedrock Runtime clients. */
  static final String INTERCEPTORS_RESOURCE =
      "software/amazon/awssdk/services/bedrockruntime/execution.interceptors";

  private static final String MODEL_PACKAGE = "software.amazon.awssdk.services.bedrockruntime.model.";

  private BedrockTracing() {}

  /**
   * Exit of {@code ClasspathInterceptorChainFactory.getInterceptors(resource)}: for the Bedrock
   * Runtime resource, a copy of the list with the agent's interceptor appended; else the list.
   */
  public static Object withInterceptor(Object factory, String resource, Object interceptors) {
    if (!INTERCEPTORS_RESOURCE.equals(resource) || !(interceptors instanceof List)) {
      return interceptors;
    }
    try {
      ClassLoader loader = factory.getClass().getClassLoader();
      Class<?> type = Class.forName(
          "software.amazon.awssdk.core.interceptor.ExecutionInterceptor", false, loader);
      Object interceptor = Proxy.newProxyInstance(
          type.getClassLoader(), new Class<?>[] {type}, new BedrockInterceptor(type.getClassLoader()));
      List<Object> out = new ArrayList<>((List<?>) interceptors);
      out.add(interceptor);
      return out;
    } catch (Throwable t) {
      AgentLog.failure("bedrock interceptor", t);
      return interceptors;
    }
  }

  /**
   * Entry of the client handler's {@code execute}: a token for {@link #exit}, a {@link CapRefusal}
   * (the advice skips the method: no request leaves the JVM), or {@code null}. Never throws.
   */
  public static Object enter(Object handler, Object params) {
    try {
      if (LogicalCall.current() != null || SdkCall.current() != null) {
        return null;
      }
      Object input = Reflect.call(params, "getInput");
      Operation op = input == null ? null : Operation.of(input.getClass().getName());
      if (op == null) {
        return null;
      }
      String modelId = Reflect.callString(input, "modelId");
      CapRefusal refusal = CapGuard.beforeModelCall(handler.getClass().getClassLoader());
      if (refusal != null) {
        if (!op.invoke && ToolLoop.infersHere() && ToolLoop.anyPending()) {
          // the tools whose results this refused request carries did run: their rows, read from
          // the request object (a refused request is never marshalled, see BedrockInterceptor)
          ToolLoop.answered(ToolWire.BEDROCK_CONVERSE, toolResults(input), Context.current(), "",
              ToolLoop.nowEpochNanos());
        }
        return refusal;
      }
      long started = ToolLoop.nowEpochNanos();
      GenAiOperation operation = op.invoke && modelId != null
          && modelId.toLowerCase(Locale.ROOT).contains("embed")
          ? GenAiOperation.EMBEDDINGS : GenAiOperation.CHAT;
      LogicalCall call = LogicalCall.start(
          operation.callKind().orElseThrow().wire(), operation.wire(), Provider.AWS_BEDROCK.wire(),
          modelId, op.stream);
      SdkCall sdk = SdkCall.of(call);
      // the call itself current (not SdkCall's key): HTTP-client units below record nothing
      Context context = call.context().with(KEY, sdk);
      if (!op.invoke && ToolLoop.infersHere()) {
        // the answer's toolUse blocks are remembered; the request's toolResult blocks are read by
        // the interceptor (BedrockInterceptor, modifyHttpContent) from the marshalled body
        sdk.whenAnswered(summary ->
            ToolLoop.asked(ToolWire.BEDROCK_CONVERSE, summary.toolCalls(), ""));
        context = context.with(TOOL_LOOP, started);
      }
      return new Token(sdk, context.makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("bedrock enter", t);
      return null;
    }
  }

  /**
   * Exit of the synchronous {@code execute}: the call ends once its last attempt has.
   *
   * @return what {@code execute} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Throwable thrown) {
    if (token instanceof Token) {
      Token t = (Token) token;
      try {
        t.scope.close();
        t.sdk.methodExited(thrown);
      } catch (Throwable e) {
        AgentLog.failure("bedrock exit", e);
      }
    }
    return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
  }

  /**
   * The {@code toolResult} blocks of a Converse request object ({@code messages()[].content()[]
   * .toolResult()}: {@code toolUseId()}, {@code status()}), in order — the SDK's model of what
   * {@link ToolWire#BEDROCK_CONVERSE} reads on the wire. Identifiers only.
   */
  static List<ToolAnswer> toolResults(Object request) {
    List<ToolAnswer> answers = new ArrayList<>();
    Object messages = Reflect.call(request, "messages");
    if (!(messages instanceof List)) {
      return answers;
    }
    for (Object message : (List<?>) messages) {
      Object content = Reflect.call(message, "content");
      if (!(content instanceof List)) {
        continue;
      }
      for (Object block : (List<?>) content) {
        Object result = Reflect.call(block, "toolResult");
        String id = result == null ? null : Reflect.callString(result, "toolUseId");
        if (id != null) {
          answers.add(new ToolAnswer(id, null,
              "error".equals(Reflect.callString(result, "statusAsString"))));
        }
      }
    }
    return answers;
  }

  /** What the asynchronous {@code execute} returns: a refused call's failed future, else it. */
  public static Object asyncResult(Object token, Object future) {
    RuntimeException refused = CapRefusal.exceptionOf(token);
    return refused == null ? future : CompletableFuture.failedFuture(refused);
  }

  /** Exit of the asynchronous {@code execute}: the method is over when its future completes. */
  public static void exitAsync(Object token, Object future, Throwable thrown) {
    if (!(token instanceof Token)) {
      return;
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.sdk.methodExitedWhenDone(future, thrown);
    } catch (Throwable e) {
      AgentLog.failure("bedrock exit async", e);
    }
  }

  /** The Bedrock Runtime operations that are model calls, by their request class. */
  private enum Operation {
    CONVERSE("ConverseRequest", false, false),
    CONVERSE_STREAM("ConverseStreamRequest", true, false),
    INVOKE_MODEL("InvokeModelRequest", false, true),
    INVOKE_MODEL_STREAM("InvokeModelWithResponseStreamRequest", true, true);

    final String requestClass;
    final boolean stream;
    final boolean invoke;

    Operation(String simpleName, boolean stream, boolean invoke) {
      this.requestClass = MODEL_PACKAGE + simpleName;
      this.stream = stream;
      this.invoke = invoke;
    }

    static Operation of(String className) {
      if (!className.startsWith(MODEL_PACKAGE)) {
        return null;
      }
      for (Operation op : values()) {
        if (op.requestClass.equals(className)) {
          return op;
        }
      }
      return null;
    }
  }

  private static final class Token {
    final SdkCall sdk;
    final Scope scope;

    Token(SdkCall sdk, Scope scope) {
      this.sdk = sdk;
      this.scope = scope;
    }
  }
}
