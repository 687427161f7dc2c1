package io.flowcost.agent.langchain4j.http;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.langchain4j.Proxies;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.usage.StreamUsageAccumulator;
import java.lang.reflect.Method;

/**
 * Forwards every method of a {@code ServerSentEventListener}, reading each event's usage before
 * forwarding it (the client may complete the logical call from inside the forwarded event).
 */
final class SseListenerProxy implements Proxies.Marker {

  private final Attempt attempt;
  private final Object delegate;
  private final StreamUsageAccumulator usage = new StreamUsageAccumulator();

  SseListenerProxy(Attempt attempt, Object delegate) {
    this.attempt = attempt;
    this.delegate = delegate;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object own = Proxies.objectMethod(proxy, delegate, method, args);
    if (own != Proxies.NOT_HANDLED) {
      return own;
    }
    try {
      observe(method.getName(), args);
    } catch (Throwable t) {
      AgentLog.failure("sse listener", t);
    }
    return Proxies.forward(delegate, method, args);
  }

  private void observe(String name, Object[] args) {
    int argc = args == null ? 0 : args.length;
    switch (name) {
      case "onOpen":
        if (argc == 1) {
          Long status = Reflect.callLong(args[0], "statusCode");
          if (status != null) {
            attempt.status(status.intValue());
          }
          attempt.providerCostHeader(
              HttpTracing.header(args[0], HttpExchange.PROVIDER_COST_HEADER));
        }
        break;
      case "onEvent":
        if (argc >= 1) {
          String data = Reflect.callString(args[0], "data");
          synchronized (usage) {
            usage.onEvent(data);
            attempt.progress(usage.progress());
          }
        }
        break;
      case "onError":
        if (argc == 1 && args[0] instanceof Throwable) {
          synchronized (usage) {
            HttpTracing.failed(attempt, (Throwable) args[0], usage.result());
          }
        }
        break;
      case "onClose":
        if (argc == 0) {
          synchronized (usage) {
            attempt.succeeded(0, usage.result());
          }
        }
        break;
      default:
        break;
    }
  }
}
