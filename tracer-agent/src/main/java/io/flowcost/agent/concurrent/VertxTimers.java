package io.flowcost.agent.concurrent;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Carries the agent's context into Vert.x timer handlers ({@code vertx.setTimer}, {@code
 * setPeriodic}, {@code context.timer(..)}: all scheduled through {@code VertxImpl.scheduleTimeout}),
 * which run on an event loop that no executor hook sees. Like {@link ContextTasks}: only while a
 * workflow or boundary is open; other handlers pass through untouched.
 */
public final class VertxTimers {

  private VertxTimers() {}

  /** The handler to schedule instead of {@code handler} (a Vert.x {@code Handler}). Never throws. */
  public static Object wrap(Object handler) {
    try {
      if (handler == null || !AgentContext.workflowOrBoundary()
          || (Proxy.isProxyClass(handler.getClass())
              && Proxy.getInvocationHandler(handler) instanceof InContext)) {
        return handler;
      }
      Class<?> type = Class.forName("io.vertx.core.Handler", false, handler.getClass().getClassLoader());
      if (!type.isInstance(handler)) {
        return handler;
      }
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
          new InContext(Context.current(), handler));
    } catch (Throwable t) {
      AgentLog.failure("vertx timer", t);
      return handler;
    }
  }

  /** Runs the handler with the context it was scheduled in. */
  private static final class InContext implements InvocationHandler {
    private final Context context;
    private final Object handler;

    InContext(Context context, Object handler) {
      this.context = context;
      this.handler = handler;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        switch (method.getName()) {
          case "equals":
            return proxy == args[0];
          case "hashCode":
            return System.identityHashCode(proxy);
          default:
            return String.valueOf(handler);
        }
      }
      try (Scope ignored = context.makeCurrent()) {
        return method.invoke(handler, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
