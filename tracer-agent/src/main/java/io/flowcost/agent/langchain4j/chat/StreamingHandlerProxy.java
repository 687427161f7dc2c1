package io.flowcost.agent.langchain4j.chat;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.langchain4j.Proxies;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Method;

/**
 * Forwards every method of a {@code StreamingChatResponseHandler}; ends the logical call on {@code
 * onCompleteResponse} / {@code onError} before forwarding, and runs every callback with the call's
 * parent context current, whatever thread it arrives on, so that the next model call or tool of an
 * AI service's loop lands in the same workflow.
 */
final class StreamingHandlerProxy implements Proxies.Marker {

  private final LogicalCall call;
  private final Object delegate;

  StreamingHandlerProxy(LogicalCall call, Object delegate) {
    this.call = call;
    this.delegate = delegate;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object own = Proxies.objectMethod(proxy, delegate, method, args);
    if (own != Proxies.NOT_HANDLED) {
      return own;
    }
    String name = method.getName();
    try {
      if (name.equals("onCompleteResponse") && args != null && args.length == 1) {
        ChatTracing.end(call, args[0], null);
      } else if (name.equals("onError") && args != null && args.length == 1
          && args[0] instanceof Throwable) {
        ChatTracing.end(call, null, (Throwable) args[0]);
      }
    } catch (Throwable t) {
      AgentLog.failure("streaming handler", t);
    }
    try (Scope ignored = call.parentContext().makeCurrent()) {
      return Proxies.forward(delegate, method, args);
    }
  }
}
