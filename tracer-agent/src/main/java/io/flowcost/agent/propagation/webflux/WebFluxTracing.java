package io.flowcost.agent.propagation.webflux;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.concurrent.ContextTasks;
import io.flowcost.agent.concurrent.ReactorPublishers;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.PendingWorkflow;
import io.flowcost.agent.propagation.IncomingContext;
import io.flowcost.agent.propagation.ServerScopes;
import io.flowcost.contract.WorkflowSource;
import io.opentelemetry.context.Context;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Helpers of {@link HandleAdvice}: Spring WebFlux's {@code DispatcherHandler.handle(exchange)}
 * returns the {@code Mono<Void>} of the whole request; it is wrapped so that, when the server
 * subscribes, the request joins a propagated workflow or becomes a boundary ({@link ServerScopes})
 * that is current while the handler chain subscribes, and ends when the {@code Mono} terminates.
 * Its name is {@code <METHOD> <PathPattern>} (the {@code HandlerMapping.bestMatchingPattern}
 * exchange attribute, set by annotated controllers and router functions alike), else {@code
 * <METHOD>}.
 *
 * <p>Reactor runs later stages on other threads. A task handed to a Reactor {@code Scheduler}
 * ({@code subscribeOn}, {@code publishOn}, delays) is given the context it was scheduled in by a
 * {@code Schedulers.onScheduleHook} the agent registers once per Reactor (key {@code flowcost});
 * the {@code executors} unit does the same for the JDK pools beneath, and the {@code reactor-netty}
 * unit makes a client request's caller context current while its response reaches the application
 * on the I/O thread (a stage chained after a {@code WebClient} response).
 */
public final class WebFluxTracing {

  /** Spring WebFlux's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
  static final String PATTERN = "org.springframework.web.reactive.HandlerMapping.bestMatchingPattern";

  private static final Set<ClassLoader> HOOKED = ConcurrentHashMap.newKeySet();

  private WebFluxTracing() {}

  /**
   * Exit of {@code DispatcherHandler.handle}: the {@code Mono} to return instead of {@code mono},
   * or {@code mono} itself when a workflow is open already or it cannot be wrapped.
   */
  public static Object wrap(Object exchange, Object mono) {
    if (exchange == null || mono == null || AgentContext.workflowOrBoundary()) {
      return mono;
    }
    try {
      ClassLoader loader = mono.getClass().getClassLoader();
      scheduleHook(loader);
      return ReactorPublishers.aroundSubscribe(mono, () -> subscribe(exchange));
    } catch (Throwable t) {
      AgentLog.failure("webflux wrap", t);
      return mono;
    }
  }

  /**
   * What one subscription of the request's {@code Mono} runs in: a propagated workflow, or a
   * boundary that ends when the subscription terminates; {@code null} inside an open workflow.
   */
  private static ReactorPublishers.Subscription subscribe(Object exchange) {
    Object request = call(exchange, "getRequest");
    Object httpMethod = request == null ? null : call(request, "getMethod");
    String method = httpMethod == null ? null : String.valueOf(call(httpMethod, "name"));
    Context joined = request == null ? null : IncomingContext.extract(name -> headers(request, name));
    if (joined != null) {
      return ReactorPublishers.Subscription.in(joined, null);
    }
    if (AgentContext.workflowOrBoundary()) {
      return null;
    }
    PendingWorkflow boundary =
        PendingWorkflow.enter(WorkflowSource.SERVER_REQUEST, () -> name(exchange, method),
            ServerScopes.workflowName(method, null));
    return ReactorPublishers.Subscription.in(boundary.attach(Context.current()),
        error -> end(boundary, exchange, error));
  }

  static String name(Object exchange, String method) {
    Object pattern = attribute(exchange, PATTERN);
    if (pattern == null) {
      return null;
    }
    Object text = call(pattern, "getPatternString");
    return ServerScopes.workflowName(method, text != null ? text.toString() : pattern.toString());
  }

  private static int status(Object exchange, Throwable error) {
    if (error != null) {
      // an ErrorResponse (ResponseStatusException, …) says which status the error becomes
      Object code = call(error, "getStatusCode");
      Object value = code == null ? null : call(code, "value");
      return value instanceof Integer ? (Integer) value : -1;
    }
    Object response = call(exchange, "getResponse");
    Object code = response == null ? null : call(response, "getStatusCode");
    Object value = code == null ? null : call(code, "value");
    return value instanceof Integer ? (Integer) value : 200; // no status set: 200
  }

  /** Ends a boundary: failed on an error that is no 4xx, or a 5xx response. */
  static void end(PendingWorkflow boundary, Object exchange, Throwable error) {
    int status = status(exchange, error);
    if (error != null && status >= 400 && status < 500) {
      boundary.end(null); // a client error the framework answers
    } else {
      boundary.end(ServerScopes.errorType(error, status));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> headers(Object request, String name) {
    Object headers = call(request, "getHeaders");
    if (headers == null) {
      return null;
    }
    try {
      Object values = headers.getClass().getMethod("get", Object.class).invoke(headers, name);
      return values instanceof List ? (List<String>) values : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Object attribute(Object exchange, String name) {
    try {
      Method get = exchange.getClass().getMethod("getAttribute", String.class);
      get.setAccessible(true);
      return get.invoke(exchange, name);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Calls a public no-argument method, through its public declaring interface or class. */
  static Object call(Object target, String method) {
    try {
      Method m = publicMethod(target.getClass(), method);
      return m == null ? null : m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Method publicMethod(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
        try {
          return c.getMethod(name);
        } catch (NoSuchMethodException e) {
          return null;
        }
      }
      for (Class<?> i : c.getInterfaces()) {
        try {
          return i.getMethod(name);
        } catch (NoSuchMethodException e) {
          // next
        }
      }
    }
    return null;
  }

  /** Registers, once per Reactor, a schedule hook that carries the agent's context to the task. */
  private static void scheduleHook(ClassLoader loader) {
    if (loader == null || !HOOKED.add(loader)) {
      return;
    }
    try {
      Class<?> schedulers = Class.forName("reactor.core.scheduler.Schedulers", false, loader);
      Function<Runnable, Runnable> hook = ContextTasks::wrap;
      schedulers.getMethod("onScheduleHook", String.class, Function.class)
          .invoke(null, "flowcost", hook);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      AgentLog.failure("reactor schedule hook", e);
    }
  }
}
