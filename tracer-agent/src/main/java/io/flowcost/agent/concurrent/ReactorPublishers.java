package io.flowcost.agent.concurrent;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one wrapper of a Reactor {@code Mono} or {@code Flux} (typed {@code Object}; Reactor is read
 * by name from the publisher's own class loader) that makes a context of the agent current while a
 * subscriber subscribes — when a Spring AI stream builds and sends its request, when a WebFlux
 * request's handler chain runs — and runs a callback once when that subscription terminates
 * (completes, errs or is cancelled). Nothing else changes: the same signals reach the same
 * subscriber. Used by the {@code spring-ai} and {@code spring-webflux} units.
 */
public final class ReactorPublishers {

  private ReactorPublishers() {}

  /**
   * A publisher of the same Reactor type as {@code publisher} ({@code Mono} stays {@code Mono})
   * that, on each subscription, asks {@code onSubscribe} what to run it in — {@code null} (or a
   * supplier that throws, which is logged) subscribes as if unwrapped — then subscribes to {@code
   * publisher}.
   *
   * @return the wrapped publisher; throws when Reactor cannot be read (the caller keeps its own)
   */
  public static Object aroundSubscribe(Object publisher, Supplier<Subscription> onSubscribe)
      throws Throwable {
    ClassLoader loader = publisher.getClass().getClassLoader();
    Class<?> publisherType = Class.forName("org.reactivestreams.Publisher", false, loader);
    Class<?> subscriber = Class.forName("org.reactivestreams.Subscriber", false, loader);
    Class<?> mono = Class.forName("reactor.core.publisher.Mono", false, loader);
    Class<?> type = mono.isInstance(publisher)
        ? mono : Class.forName("reactor.core.publisher.Flux", false, loader);
    Method subscribe = publisherType.getMethod("subscribe", subscriber);
    Method from = type.getMethod("from", publisherType);
    Method doOnError = type.getMethod("doOnError", Consumer.class);
    Method doFinally = type.getMethod("doFinally", Consumer.class);
    Method error = type.getMethod("error", Throwable.class);
    Object source =
        Proxy.newProxyInstance(
            publisherType.getClassLoader(),
            new Class<?>[] {publisherType},
            (proxy, method, args) -> {
              if (method.getName().equals("subscribe") && args != null && args.length == 1) {
                Subscription s = null;
                try {
                  s = onSubscribe.get();
                } catch (Throwable t) {
                  AgentLog.failure("reactor subscribe", t);
                }
                if (s == null) {
                  return invoke(subscribe, publisher, args);
                }
                if (s.refused != null) {
                  // refused before anything is sent: the subscriber sees the refusal as the error
                  return invoke(subscribe, invoke(error, null, s.refused), args);
                }
                Object tracked = publisher;
                if (s.onTerminate != null) {
                  Consumer<Throwable> onTerminate = s.onTerminate;
                  Throwable[] failure = new Throwable[1];
                  Consumer<Throwable> onError = t -> failure[0] = t;
                  Consumer<Object> onEnd = signal -> {
                    try {
                      onTerminate.accept(failure[0]);
                    } catch (Throwable t) {
                      AgentLog.failure("reactor terminate", t);
                    }
                  };
                  tracked = invoke(doFinally,
                      invoke(doOnError, invoke(from, null, publisher), onError), onEnd);
                }
                try (Scope ignored = s.context.makeCurrent()) {
                  return invoke(subscribe, tracked, args);
                }
              }
              switch (method.getName()) {
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                case "toString":
                  return "flowcost(" + publisher + ")";
                default:
                  return invoke(method, publisher, args);
              }
            });
    return invoke(from, null, source);
  }

  private static Object invoke(Method method, Object target, Object... args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** What one subscription runs in, and what runs when it terminates. Immutable. */
  public static final class Subscription {
    final Context context;
    final Consumer<Throwable> onTerminate;
    final RuntimeException refused;

    private Subscription(Context context, Consumer<Throwable> onTerminate, RuntimeException refused) {
      this.context = context;
      this.onTerminate = onTerminate;
      this.refused = refused;
    }

    /**
     * Subscribes with {@code context} current; {@code onTerminate} (may be {@code null}) runs once
     * when the subscription terminates, given the error it failed with ({@code null} when it
     * completed or was cancelled).
     */
    public static Subscription in(Context context, Consumer<Throwable> onTerminate) {
      return new Subscription(context, onTerminate, null);
    }

    /** A subscription that must not happen: the subscriber gets {@code exception} instead. */
    public static Subscription refused(RuntimeException exception) {
      return new Subscription(null, null, exception);
    }
  }
}
