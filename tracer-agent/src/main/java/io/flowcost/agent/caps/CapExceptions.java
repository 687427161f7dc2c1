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

  /**
   * The exception refusing a new workflow of an owner at its hard budget ({@link Cap#BUDGET_USD}):
   * outcome-api's, with the owner when its version has that constructor, else a {@link
   * RuntimeException} whose message names the workflow, the owner, the budget and the spend.
   */
  static RuntimeException budget(ClassLoader appLoader, String workflowName, String owner,
      BigDecimal limit, BigDecimal spent) {
    for (ClassLoader loader : new ClassLoader[] {appLoader, Thread.currentThread().getContextClassLoader()}) {
      Object found = loader == null ? ABSENT : BY_LOADER.computeIfAbsent(loader, CapExceptions::find);
      if (found instanceof Found) {
        Found f = (Found) found;
        try {
          Object kind = f.valueOf(Cap.BUDGET_USD.name());
          return f.ownerConstructor != null
              ? (RuntimeException) f.ownerConstructor.newInstance(null, workflowName, kind, limit,
                  spent, owner)
              : (RuntimeException) f.constructor.newInstance(null, workflowName, kind, limit,
                  spent);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
          AgentLog.failure("budget exception", e); // e.g. an outcome-api without BUDGET_USD
        }
      }
    }
    return new RuntimeException(budgetMessage(workflowName, owner, limit, spent));
  }

  /** The message of the fallback budget exception; the wording of outcome-api's. */
  static String budgetMessage(String workflowName, String owner, BigDecimal limit,
      BigDecimal spent) {
    return "workflow \"" + Printable.of(workflowName) + "\" refused by " + Cap.BUDGET_USD.key()
        + '=' + limit.toPlainString() + " USD of " + Printable.of(owner) + ": spent "
        + spent.toPlainString() + " USD";
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
      Constructor<?> withOwner;
      try {
        withOwner = type.getConstructor(String.class, String.class, kind, BigDecimal.class,
            BigDecimal.class, String.class);
      } catch (NoSuchMethodException e) {
        withOwner = null; // an outcome-api from before budgets named their owner
      }
      return new Found(ctor, withOwner, kind);
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError | SecurityException e) {
      return ABSENT; // an app without outcome-api (or an older one)
    }
  }

  private static final class Found {
    final Constructor<?> constructor;
    final Constructor<?> ownerConstructor;
    final Class<?> kind;

    Found(Constructor<?> constructor, Constructor<?> ownerConstructor, Class<?> kind) {
      this.constructor = constructor;
      this.ownerConstructor = ownerConstructor;
      this.kind = kind;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Object valueOf(String name) {
      return Enum.valueOf((Class) kind, name);
    }
  }
}
