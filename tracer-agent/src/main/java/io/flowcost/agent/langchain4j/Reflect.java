package io.flowcost.agent.langchain4j;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflective reads of LangChain4j objects. The agent's helper classes live on the bootstrap class
 * path and must not link against LangChain4j, whose classes live in the application's loader; and
 * reading by name keeps working across LangChain4j versions that lack a method.
 */
public final class Reflect {

  private static final Method MISSING;

  static {
    try {
      MISSING = Object.class.getMethod("hashCode");
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final ClassValue<Map<String, Method>> METHODS =
      new ClassValue<Map<String, Method>>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private static final Object[] NO_ARGUMENTS = new Object[0];

  private static final ClassValue<Map<String, Boolean>> ASSIGNABLE =
      new ClassValue<Map<String, Boolean>>() {
        @Override
        protected Map<String, Boolean> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private Reflect() {}

  /** Calls a public no-argument method by name; {@code null} when absent or when it throws. */
  public static Object call(Object target, String name) {
    if (target == null) {
      return null;
    }
    Class<?> type = target.getClass();
    Map<String, Method> methods = METHODS.get(type);
    // get first: computeIfAbsent with a lambda capturing the type would allocate on every call
    Method method = methods.get(name);
    if (method == null) {
      method = methods.computeIfAbsent(name, n -> find(type, n));
    }
    if (method == MISSING) {
      return null;
    }
    try {
      return method.invoke(target, NO_ARGUMENTS); // not varargs: no new array per call
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Calls a no-argument method and returns its result as a {@code Long}, or {@code null}. */
  public static Long callLong(Object target, String name) {
    Object value = call(target, name);
    return value instanceof Number ? Long.valueOf(((Number) value).longValue()) : null;
  }

  /** Calls a no-argument method and returns its result as a {@code String}, or {@code null}. */
  public static String callString(Object target, String name) {
    Object value = call(target, name);
    return value instanceof String ? (String) value : null;
  }

  /** Whether the object's class implements (or extends) the type with the given name. */
  public static boolean isInstance(Object target, String typeName) {
    if (target == null) {
      return false;
    }
    Map<String, Boolean> answers = ASSIGNABLE.get(target.getClass());
    Boolean known = answers.get(typeName);
    if (known == null) {
      // walking the hierarchy clones each interface array: done once per class and name
      known = assignable(target.getClass(), typeName);
      answers.put(typeName, known);
    }
    return known;
  }

  private static boolean assignable(Class<?> type, String typeName) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals(typeName)) {
        return true;
      }
      for (Class<?> i : c.getInterfaces()) {
        if (assignable(i, typeName)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Method find(Class<?> type, String name) {
    try {
      Method method = type.getMethod(name);
      if (!method.trySetAccessible()) {
        return MISSING;
      }
      return method;
    } catch (NoSuchMethodException | RuntimeException e) {
      return MISSING;
    }
  }
}
