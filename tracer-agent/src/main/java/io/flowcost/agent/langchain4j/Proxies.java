package io.flowcost.agent.langchain4j;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Builds forwarding proxies for LangChain4j callback interfaces. The proxy class is defined in the
 * loader of the wrapped object, so the agent never links against LangChain4j.
 */
public final class Proxies {

  private Proxies() {}

  /**
   * Wraps {@code delegate} in a proxy implementing all of its public interfaces, or returns the
   * delegate unchanged when it does not implement {@code requiredInterface} or the proxy cannot be
   * built.
   */
  public static Object wrap(Object delegate, String requiredInterface, InvocationHandler handler) {
    if (delegate == null || delegate instanceof Proxy && Proxy.getInvocationHandler(delegate) instanceof Marker) {
      return delegate;
    }
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    collect(delegate.getClass(), interfaces);
    boolean found = false;
    for (Class<?> i : interfaces) {
      found |= i.getName().equals(requiredInterface);
    }
    if (!found) {
      return delegate;
    }
    try {
      ClassLoader loader = delegate.getClass().getClassLoader();
      return Proxy.newProxyInstance(loader, interfaces.toArray(new Class<?>[0]), handler);
    } catch (RuntimeException e) {
      return delegate;
    }
  }

  /** Forwards a call to the delegate, rethrowing what the delegate threw unchanged. */
  public static Object forward(Object delegate, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * Handles {@code Object} methods on the proxy itself; returns {@code NOT_HANDLED} for any other
   * method.
   */
  public static Object objectMethod(Object proxy, Object delegate, Method method, Object[] args) {
    switch (method.getName()) {
      case "equals":
        return method.getParameterCount() == 1 ? Boolean.valueOf(proxy == args[0]) : NOT_HANDLED;
      case "hashCode":
        return method.getParameterCount() == 0 ? Integer.valueOf(System.identityHashCode(proxy)) : NOT_HANDLED;
      case "toString":
        return method.getParameterCount() == 0 ? String.valueOf(delegate) : NOT_HANDLED;
      default:
        return NOT_HANDLED;
    }
  }

  /** Returned by {@link #objectMethod} for methods that are not {@code Object}'s. */
  public static final Object NOT_HANDLED = new Object();

  /** Marks the agent's own invocation handlers, so that nothing is wrapped twice. */
  public interface Marker extends InvocationHandler {}

  private static void collect(Class<?> type, Set<Class<?>> out) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (Modifier.isPublic(i.getModifiers()) && out.add(i)) {
          collect(i, out);
        }
      }
    }
  }
}
