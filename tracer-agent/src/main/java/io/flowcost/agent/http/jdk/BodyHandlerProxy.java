package io.flowcost.agent.http.jdk;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.HttpExchange;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * A {@code BodyHandler} that reports the response head to the exchange and, when the exchange
 * wants the body, wraps the application's {@code BodySubscriber} in a {@link BodySubscriberProxy}.
 */
final class BodyHandlerProxy implements InvocationHandler {

  private final HttpExchange exchange;
  private final Object delegate;

  BodyHandlerProxy(HttpExchange exchange, Object delegate) {
    this.exchange = exchange;
    this.delegate = delegate;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, method, args);
    }
    Object subscriber = JdkTypes.forward(delegate, method, args);
    if (!method.getName().equals("apply") || args == null || args.length != 1) {
      return subscriber;
    }
    try {
      int status = JdkTypes.statusCode(args[0]);
      String contentType = JdkTypes.header(args[0], "content-type");
      String cost = JdkTypes.header(args[0], HttpExchange.PROVIDER_COST_HEADER);
      if (exchange.responseHead(status, contentType, cost) && subscriber != null) {
        return JdkTypes.proxyBodySubscriber(
            new BodySubscriberProxy(exchange, subscriber), subscriber);
      }
    } catch (Throwable t) {
      AgentLog.failure("jdk http body handler", t);
    }
    return subscriber;
  }

  static Object objectMethod(Object proxy, Method method, Object[] args) {
    switch (method.getName()) {
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      default:
        return "flowcost:" + method.getDeclaringClass().getSimpleName();
    }
  }
}
