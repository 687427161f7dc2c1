package io.flowcost.agent.http.jdk;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.HttpExchange;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@code BodySubscriber} that shows each body buffer to the exchange (a read-only duplicate:
 * positions unchanged) before handing it to the application's subscriber, on the same thread,
 * without buffering or delaying anything.
 */
final class BodySubscriberProxy implements InvocationHandler {

  private final HttpExchange exchange;
  private final Object delegate;

  BodySubscriberProxy(HttpExchange exchange, Object delegate) {
    this.exchange = exchange;
    this.delegate = delegate;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return BodyHandlerProxy.objectMethod(proxy, method, args);
    }
    int argc = args == null ? 0 : args.length;
    try {
      String name = method.getName();
      if (name.equals("onNext") && argc == 1 && args[0] instanceof List) {
        for (Object buffer : (List<?>) args[0]) {
          if (buffer instanceof ByteBuffer) {
            exchange.bodyBytes((ByteBuffer) buffer);
          }
        }
      } else if (name.equals("onComplete") && argc == 0) {
        exchange.bodyComplete();
      } else if (name.equals("onError") && argc == 1 && args[0] instanceof Throwable) {
        exchange.failed((Throwable) args[0]);
      }
    } catch (Throwable t) {
      AgentLog.failure("jdk http body subscriber", t);
    }
    return JdkTypes.forward(delegate, method, args);
  }
}
