package io.flowcost.agent.langchain4j;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflective reads of LangChain4j objects. The agent's helper classes live on the bootstrap class
 * path and must not link against LangChain4j, whose classes live in the application's loader; and
 * reading by name keeps working across LangChain4j versions that lack a method.
 */
public final class Reflect {

  /** {@code (Object) -> Object}: the one shape every accessor's handle is adapted to. */
  private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

  private static final ClassValue<Map<String, Accessor>> METHODS =
      new ClassValue<Map<String, Accessor>>() {
        @Override
        protected Map<String, Accessor> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private static final ClassValue<Map<String, Boolean>> ASSIGNABLE =
      new ClassValue<Map<String, Boolean>>() {
        @Override
        protected Map<String, Boolean> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private Reflect() {}

  /**
   * The last methods found, by class and name: direct-mapped tables in front of {@link #METHODS}
   * (and of {@link #ASSIGNABLE}).
   * Why: every model call reads about twenty values this way on the application's thread, and the
   * two-level lookup (the class's {@code ClassValue} map, then a {@code ConcurrentHashMap} per
   * class) was the largest agent item of a steady-state CPU profile after the usage scan (about a
   * tenth of the agent's samples on that thread): a chain of dependent loads, each likely a cache
   * miss. A slot is one array load and two identity comparisons.
   *
   * <p>A slot holds its entry through a {@link WeakReference} that nothing else holds, so the next
   * collection clears it: a static table must not keep an application's classes (and so its class
   * loader) alive, and the {@code Method} in an entry would. After a collection the slot is refilled
   * by the next call, from the class's map. Slots are written racily: an entry is immutable and a
   * reference write is atomic, so a reader sees an entry or null, never a torn one.
   */
  private static final int SLOTS = 512; // a power of two; ~100 (class, name) pairs are hot

  /** {@link #method}'s table: values are {@link Accessor}s. */
  @SuppressWarnings("unchecked")
  private static final WeakReference<Resolved>[] METHOD_SLOTS = new WeakReference[SLOTS];

  /** {@link #isInstance}'s table: values are {@code Boolean}s. */
  @SuppressWarnings("unchecked")
  private static final WeakReference<Resolved>[] ASSIGNABLE_SLOTS = new WeakReference[SLOTS];

  /** What was found for a class and a name. */
  private static final class Resolved {
    final Class<?> type;
    final String name;
    final Object value;

    Resolved(Class<?> type, String name, Object value) {
      this.type = type;
      this.name = name;
      this.value = value;
    }
  }

  /**
   * The value of {@code (type, name)} in {@code slots}, else {@code slow}'s (then remembered in
   * the slot when it is empty or cleared: a slot two hot pairs share would otherwise be rewritten
   * on every call; the first pair after a collection keeps it, the other takes the slow path).
   */
  private static Object lookup(WeakReference<Resolved>[] slots, Class<?> type, String name,
      java.util.function.BiFunction<Class<?>, String, Object> slow) {
    int slot = (System.identityHashCode(type) * 31 + name.hashCode()) & (SLOTS - 1);
    WeakReference<Resolved> ref = slots[slot];
    Resolved last = ref == null ? null : ref.get();
    // names are the agent's literals (interned): identity first, equals for any other string
    if (last != null && last.type == type && (last.name == name || last.name.equals(name))) {
      return last.value;
    }
    Object value = slow.apply(type, name);
    if (last == null) {
      slots[slot] = new WeakReference<>(new Resolved(type, name, value));
    }
    return value;
  }

  /** The public no-argument method {@code name} of {@code type} (one that reads null when absent). */
  private static Accessor method(Class<?> type, String name) {
    return (Accessor) lookup(METHOD_SLOTS, type, name, FIND_METHOD);
  }

  /** {@link #METHODS}'s answer (a lambda that captures nothing: no allocation per call). */
  private static final java.util.function.BiFunction<Class<?>, String, Object> FIND_METHOD =
      (type, name) -> {
        Map<String, Accessor> methods = METHODS.get(type);
        // get first: computeIfAbsent with a lambda capturing the type would allocate on every call
        Accessor method = methods.get(name);
        return method != null ? method : methods.computeIfAbsent(name, n -> find(type, n));
      };

  /** {@link #ASSIGNABLE}'s answer, computed once per class and name. */
  private static final java.util.function.BiFunction<Class<?>, String, Object> FIND_ASSIGNABLE =
      (type, typeName) -> {
        Map<String, Boolean> answers = ASSIGNABLE.get(type);
        Boolean known = answers.get(typeName);
        if (known == null) {
          // walking the hierarchy clones each interface array: done once per class and name
          known = assignable(type, typeName);
          answers.put(typeName, known);
        }
        return known;
      };

  /** Calls a public no-argument method by name; {@code null} when absent or when it throws. */
  public static Object call(Object target, String name) {
    if (target == null) {
      return null;
    }
    return method(target.getClass(), name).invoke(target);
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
    return (Boolean) lookup(ASSIGNABLE_SLOTS, target.getClass(), typeName, FIND_ASSIGNABLE);
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

  private static Accessor find(Class<?> type, String name) {
    try {
      Method method = type.getMethod(name);
      if (!method.trySetAccessible()) {
        return new Accessor(type, null, null);
      }
      MethodHandle handle;
      try {
        // an accessible Method is unreflected without access checks
        handle = MethodHandles.lookup().unreflect(method).asType(GETTER);
      } catch (ReflectiveOperationException | RuntimeException e) {
        handle = null; // read through the Method, as before
      }
      return new Accessor(type, handle, method);
    } catch (NoSuchMethodException | RuntimeException e) {
      return new Accessor(type, null, null); // absent: reads null (and is remembered as such)
    }
  }

  /**
   * A public no-argument method of one class, resolved once: a {@link MethodHandle} adapted to
   * {@code (Object) -> Object}, called with {@code invokeExact}. Why not {@code Method.invoke}: on
   * Java 17 it goes through a delegating accessor and a generated one shared by every read (a
   * megamorphic dispatch, an argument array check, exceptions wrapped), and every model call
   * makes about a dozen such reads on the application's thread.
   */
  private static final class Accessor {
    /** The class it reads (the receiver's class, as looked up). */
    final Class<?> type;
    private final MethodHandle handle;
    private final Method method;

    Accessor(Class<?> type, MethodHandle handle, Method method) {
      this.type = type;
      this.handle = handle;
      this.method = method;
    }

    /** The method's result on {@code target} (of {@link #type}); {@code null} when it throws. */
    Object invoke(Object target) {
      try {
        if (handle != null) {
          return (Object) handle.invokeExact(target);
        }
        return method == null ? null : method.invoke(target, NO_ARGUMENTS);
      } catch (Throwable e) {
        // as before: a throwing getter (its exception was wrapped by Method.invoke) reads null
        return null;
      }
    }
  }

  private static final Object[] NO_ARGUMENTS = new Object[0];

  /**
   * A no-argument method read by name at one call site ({@code static final}, one per site): the
   * class seen last and its {@link Accessor} kept in the getter, so the usual call — a site sees
   * one class, the application's model or response class — is one identity comparison, without the
   * tables' hashing. Held weakly, for the reason given for the tables; a cleared or different class
   * takes {@link Reflect#call}'s path, and only a cleared getter is refilled (a site that sees two
   * classes in turn does not allocate on every call).
   */
  public static final class Getter {
    private final String name;
    private WeakReference<Accessor> last; // racy on purpose: an Accessor is immutable

    private Getter(String name) {
      this.name = name;
    }

    /** The method's result on {@code target}; {@code null} when absent, throwing, or no target. */
    public Object call(Object target) {
      if (target == null) {
        return null;
      }
      Class<?> type = target.getClass();
      WeakReference<Accessor> ref = last;
      Accessor accessor = ref == null ? null : ref.get();
      if (accessor == null || accessor.type != type) {
        Accessor found = method(type, name);
        if (accessor == null) {
          last = new WeakReference<>(found);
        }
        accessor = found;
      }
      return accessor.invoke(target);
    }

    /** {@link #call} as a {@code String}, or {@code null}. */
    public String callString(Object target) {
      Object value = call(target);
      return value instanceof String ? (String) value : null;
    }

    /** {@link #call} as a {@code Long}, or {@code null}. */
    public Long callLong(Object target) {
      Object value = call(target);
      return value instanceof Number ? Long.valueOf(((Number) value).longValue()) : null;
    }
  }

  /** A getter of the public no-argument method {@code name}, for one call site. */
  public static Getter getter(String name) {
    return new Getter(name);
  }
}
