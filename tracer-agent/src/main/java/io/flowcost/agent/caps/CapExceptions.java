package io.flowcost.agent.caps;

import io.flowcost.agent.AgentLog;
import java.lang.reflect.Constructor;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Creates the exception a refused call throws, from the application's class loader: {@code
 * io.flowcost.outcome.WorkflowCapExceededException} when that loader has {@code outcome-api},
 * else a {@link RuntimeException} whose message names the workflow, the cap and the spend. The
 * constructor found per loader is cached (weakly, so the agent never pins an app's loader).
 */
final class CapExceptions {

  static final String EXCEPTION = "io.flowcost.outcome.WorkflowCapExceededException";
  static final String KIND = "io.flowcost.outcome.CapKind";

  /** A loader without outcome-api. */
  private static final Object ABSENT = new Object();

  private static final Map<ClassLoader, Object> BY_LOADER =
      Collections.synchronizedMap(new WeakHashMap<>());

  private CapExceptions() {}

  static RuntimeException create(ClassLoader appLoader, WorkflowSpend.Breach breach) {
    WorkflowSpend w = breach.workflow();
    for (ClassLoader loader : new ClassLoader[] {appLoader, Thread.currentThread().getContextClassLoader()}) {
      Object found = loader == null ? ABSENT : BY_LOADER.computeIfAbsent(loader, CapExceptions::find);
      if (found instanceof Found) {
        try {
          Found f = (Found) found;
          Object kind = f.valueOf(breach.cap().name());
          return (RuntimeException)
              f.constructor.newInstance(w.workflowId(), w.workflowName(), kind, breach.limit(),
                  breach.spent());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
          AgentLog.failure("cap exception", e);
        }
      }
    }
    return new RuntimeException(message(breach));
  }

  /** The message of the fallback exception; the same wording as outcome-api's exception. */
  static String message(WorkflowSpend.Breach breach) {
    WorkflowSpend w = breach.workflow();
    Cap cap = breach.cap();
    return "workflow \"" + Printable.of(w.workflowName()) + "\" (id " + w.workflowId()
        + ") stopped by cap " + cap.key() + '=' + breach.limit().toPlainString() + ' ' + cap.unit()
        + ": spent " + breach.spent().toPlainString() + ' ' + cap.unit();
  }

  private static Object find(ClassLoader loader) {
    try {
      Class<?> type = Class.forName(EXCEPTION, false, loader);
      Class<?> kind = Class.forName(KIND, false, loader);
      if (!RuntimeException.class.isAssignableFrom(type) || !kind.isEnum()) {
        return ABSENT;
      }
      Constructor<?> ctor =
          type.getConstructor(String.class, String.class, kind, BigDecimal.class, BigDecimal.class);
      return new Found(ctor, kind);
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError | SecurityException e) {
      return ABSENT; // an app without outcome-api (or an older one)
    }
  }

  private static final class Found {
    final Constructor<?> constructor;
    final Class<?> kind;

    Found(Constructor<?> constructor, Class<?> kind) {
      this.constructor = constructor;
      this.kind = kind;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Object valueOf(String name) {
      return Enum.valueOf((Class) kind, name);
    }
  }
}
