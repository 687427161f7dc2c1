package io.flowcost.agent.toolrunner;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.Invocation;
import io.flowcost.agent.context.WorkflowRefused;
import io.opentelemetry.context.Scope;
import java.lang.ref.Cleaner;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An SDK tool runner's iterator, as the application receives it: each {@code hasNext()} / {@code
 * next()} — where the runner calls the model and runs tools — runs with the loop's workflow (or
 * step) current. The loop starts at the first step and ends when the iterator is exhausted
 * ({@code hasNext()} false) or a step throws (failed); a loop left early (a {@code break}) ends when
 * the iterator becomes unreachable, at the end time of its last step. Everything else is passed
 * through unchanged.
 */
final class RunnerLoop implements Iterator<Object> {

  private final Iterator<?> delegate;
  private final Lifetime lifetime;

  private RunnerLoop(Iterator<?> delegate, Lifetime lifetime) {
    this.delegate = delegate;
    this.lifetime = lifetime;
  }

  /** {@code delegate}, run as the loop named {@code name}. */
  static RunnerLoop wrap(Iterator<?> delegate, String name, ClassLoader appLoader) {
    Lifetime lifetime = new Lifetime(name, appLoader);
    RunnerLoop loop = new RunnerLoop(delegate, lifetime);
    // the action holds the lifetime only, never the loop: the loop can become unreachable
    Cleaners.CLEANER.register(loop, lifetime::abandoned);
    return loop;
  }

  @Override
  public boolean hasNext() {
    Scope scope = lifetime.stepStarts();
    if (scope == null) {
      return delegate.hasNext();
    }
    boolean more;
    try {
      more = delegate.hasNext();
    } catch (Throwable t) {
      scope.close();
      lifetime.end(t);
      throw sneaky(t);
    }
    scope.close();
    if (more) {
      lifetime.stepEnded();
    } else {
      lifetime.end(null);
    }
    return more;
  }

  @Override
  public Object next() {
    Scope scope = lifetime.stepStarts();
    if (scope == null) {
      return delegate.next();
    }
    Object next;
    try {
      next = delegate.next();
    } catch (NoSuchElementException e) {
      scope.close();
      lifetime.end(null);
      throw e;
    } catch (Throwable t) {
      scope.close();
      lifetime.end(t);
      throw sneaky(t);
    }
    scope.close();
    lifetime.stepEnded();
    return next;
  }

  @Override
  public void remove() {
    delegate.remove();
  }

  @Override
  public void forEachRemaining(Consumer<? super Object> action) {
    while (hasNext()) {
      action.accept(next());
    }
  }

  /** Rethrows any throwable unchanged (Kotlin code may throw checked exceptions undeclared). */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }

  /** The loop's invocation: started at the first step, ended once. */
  static final class Lifetime {
    private final String name;
    private final ClassLoader appLoader;
    private Invocation invocation;
    private boolean over;
    private volatile long lastStepEndedEpochNanos = -1;

    Lifetime(String name, ClassLoader appLoader) {
      this.name = name;
      this.appLoader = appLoader;
    }

    /**
     * A step starts: the scope to close after it, or {@code null} when the loop is over or could
     * not start (the step then runs untraced).
     *
     * @throws RuntimeException the refusal, when the new workflow's owner is at its hard budget
     */
    Scope stepStarts() {
      Invocation current;
      synchronized (this) {
        if (over) {
          return null;
        }
        if (invocation == null) {
          try {
            invocation = Invocation.start(name, appLoader);
          } catch (WorkflowRefused refused) {
            over = true;
            throw refused.exception();
          } catch (Throwable t) {
            over = true;
            AgentLog.failure("tool runner loop start", t);
            return null;
          }
        }
        current = invocation;
      }
      // marked so that the wire-level inference (ToolLoop) leaves this loop's tools to the runner's
      // hooks, which record them where they run
      return current.context().with(ToolRunnerTracing.IN_LOOP, Boolean.TRUE).makeCurrent();
    }

    void stepEnded() {
      lastStepEndedEpochNanos = now();
    }

    void end(Throwable error) {
      Invocation ending;
      synchronized (this) {
        if (over) {
          return;
        }
        over = true;
        ending = invocation;
      }
      if (ending != null) {
        ending.end(error);
      }
    }

    /** The application dropped the iterator before the loop ended: it ended at its last step. */
    void abandoned() {
      Invocation ending;
      synchronized (this) {
        if (over) {
          return;
        }
        over = true;
        ending = invocation;
      }
      if (ending != null) {
        ending.end(null, lastStepEndedEpochNanos);
      }
    }

    private static long now() {
      Instant now = Instant.now();
      return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }
  }

  /** One cleaner thread (a daemon), created when the first runner loop is. */
  private static final class Cleaners {
    static final Cleaner CLEANER = Cleaner.create();
  }
}
