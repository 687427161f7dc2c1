package io.flowcost.agent.http.jdk;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.HttpExchange;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A {@code BodySubscriber} that shows each body buffer to the exchange (a read-only duplicate:
 * positions unchanged) before handing it to the application's subscriber, on the same thread,
 * without buffering or delaying anything.
 *
 * <p>The exchange ends at the body's {@code onComplete} or {@code onError}, or when the
 * application cancels its subscription — whichever comes first. Why the cancel: a client that
 * stops reading a stream at {@code data: [DONE]} (Spring's {@code WebClient} under Spring AI,
 * {@code takeUntil}) cancels before the chunked body's last chunk is read, and the JDK then calls
 * neither {@code onComplete} nor {@code onError}: without it the call would never end and never
 * be recorded (seen in CI; about 2% of such streams on a loaded machine).
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
    if (JdkTypes.isNeedsExecutor(method)) {
      // a proxy marked trusted (JdkTypes#proxyBodySubscriber): what the wrapped subscriber says;
      // everything this proxy adds runs on the calling thread without blocking
      return JdkTypes.forward(delegate, method, args);
    }
    int argc = args == null ? 0 : args.length;
    Object[] forwarded = args;
    try {
      String name = method.getName();
      if (name.equals("onSubscribe") && argc == 1 && args[0] instanceof Flow.Subscription
          && !(args[0] instanceof EndOnCancel)) {
        forwarded = new Object[] {new EndOnCancel(exchange, (Flow.Subscription) args[0])};
      } else if (name.equals("onNext") && argc == 1 && args[0] instanceof List) {
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
    return JdkTypes.forward(delegate, method, forwarded);
  }

  /**
   * The subscription handed to the application's subscriber: a {@link #cancel} (the application
   * stopped reading) ends the exchange with what was read, as closing a body stream does.
   */
  static final class EndOnCancel implements Flow.Subscription {
    private final HttpExchange exchange;
    private final Flow.Subscription upstream;

    EndOnCancel(HttpExchange exchange, Flow.Subscription upstream) {
      this.exchange = exchange;
      this.upstream = upstream;
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      try {
        exchange.bodyComplete(); // the first end wins: an onComplete after this changes nothing
      } catch (Throwable t) {
        AgentLog.failure("jdk http body cancel", t);
      }
      upstream.cancel();
    }
  }
}
