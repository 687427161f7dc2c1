package io.flowcost.agent.openai;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.http.LlmEndpoint;
import io.flowcost.agent.http.LlmEndpoints;
import io.flowcost.agent.http.RequestFields;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.langchain4j.Reflect;
import io.opentelemetry.context.Scope;
import java.net.URI;

/**
 * Logical calls of the official OpenAI Java SDK. A request that is a model operation (by its path,
 * whatever the base URL: the SDK only talks to model APIs) opens a logical call — and an implicit
 * workflow when none is open — unless a logical call is already open (LangChain4j's OpenAI-official
 * model wraps the SDK: that call is the one counted).
 */
public final class OpenAiSdkTracing {

  private OpenAiSdkTracing() {}

  /** Entry of {@code execute}; returns a token for {@link #exit}, or {@code null}. Never throws. */
  public static Object enter(Object request) {
    try {
      if (LogicalCall.current() != null || SdkCall.current() != null) {
        return null;
      }
      String url = Reflect.callString(request, "url");
      if (url == null) {
        return null;
      }
      URI uri = URI.create(url);
      LlmEndpoint endpoint = LlmEndpoints.byPath(uri.getRawPath(), uri.getHost());
      if (endpoint == null) {
        return null;
      }
      RequestFields fields = RequestFields.readOpenAiSdkBody(Reflect.call(request, "body"));
      String model = fields.model() != null ? fields.model() : endpoint.model();
      LogicalCall call =
          LogicalCall.start(
              endpoint.kind(), endpoint.operation(), endpoint.provider(), model, fields.stream());
      SdkCall sdk = SdkCall.of(call);
      return new Token(sdk, sdk.context().makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("openai sdk enter", t);
      return null;
    }
  }

  /** Exit of {@code execute}: the call ends once its last response body is read or closed. */
  public static void exit(Object token, Throwable thrown) {
    if (!(token instanceof Token)) {
      return;
    }
    Token t = (Token) token;
    try {
      t.scope.close();
      t.sdk.methodExited(thrown);
    } catch (Throwable e) {
      AgentLog.failure("openai sdk exit", e);
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
