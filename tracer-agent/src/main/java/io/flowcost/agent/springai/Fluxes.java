package io.flowcost.agent.springai;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wraps a Reactor {@code Flux} (typed {@code Object}; Reactor is read by name from the flux's own
 * class loader) so that a context of the agent is current while a subscriber subscribes — which is
 * when a Spring AI stream builds and sends its request — and a callback runs when it terminates.
 * Nothing else changes: the same signals reach the same subscriber.
 */
final class Fluxes {

  private Fluxes() {}

  /**
   * A flux that, on each subscription, asks {@code onSubscribe} for the context to make current
   * around the subscription (and for the callback to run once, on completion, error or
   * cancellation), then subscribes to {@code flux}.
   *
   * @return the wrapped flux, or {@code flux} itself when it cannot be wrapped
   */
  static Object aroundSubscribe(Object flux, Supplier<Subscription> onSubscribe)
      throws Throwable {
    ClassLoader loader = flux.getClass().getClassLoader();
    Class<?> publisher = Class.forName("org.reactivestreams.Publisher", false, loader);
    Class<?> subscriber = Class.forName("org.reactivestreams.Subscriber", false, loader);
    Class<?> fluxType = Class.forName("reactor.core.publisher.Flux", false, loader);
    Method subscribe = publisher.getMethod("subscribe", subscriber);
    Method from = fluxType.getMethod("from", publisher);
    Method doFinally = fluxType.getMethod("doFinally", Consumer.class);
    Method error = fluxType.getMethod("error", Throwable.class);
    Object source =
        Proxy.newProxyInstance(
            loader,
            new Class<?>[] {publisher},
            (proxy, method, args) -> {
              if (method.getName().equals("subscribe") && args != null && args.length == 1) {
                Subscription s = onSubscribe.get();
                if (s == null) {
                  return invoke(subscribe, flux, args);
                }
                if (s.refused != null) {
                  // refused before anything is sent: the subscriber sees the refusal as the error
                  return invoke(subscribe, invoke(error, null, s.refused), args);
                }
                Object tracked = invoke(doFinally, invoke(from, null, flux), s.onTerminate);
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
                  return "flowcost(" + flux + ")";
                default:
                  return invoke(method, flux, args);
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

  /** What one subscription runs in, and what runs when it terminates. */
  static final class Subscription {
    final Context context;
    final Consumer<Object> onTerminate;
    final RuntimeException refused;

    Subscription(Context context, Consumer<Object> onTerminate) {
      this(context, onTerminate, null);
    }

    private Subscription(Context context, Consumer<Object> onTerminate, RuntimeException refused) {
      this.context = context;
      this.onTerminate = onTerminate;
      this.refused = refused;
    }

    /** A subscription that must not happen: the subscriber gets {@code exception} instead. */
    static Subscription refused(RuntimeException exception) {
      return new Subscription(null, null, exception);
    }
  }
}
