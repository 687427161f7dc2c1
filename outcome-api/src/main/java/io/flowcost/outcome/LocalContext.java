package io.flowcost.outcome;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The workflows opened on each thread without the agent, innermost last.
 *
 * <p>A workflow closed on another thread than the one that opened it is removed from its
 * opener's stack, so a stale entry never outlives it.
 */
final class LocalContext {

  private static final ThreadLocal<Deque<Workflow>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

  private LocalContext() {}

  static Optional<Workflow> current() {
    Deque<Workflow> stack = STACK.get();
    synchronized (stack) {
      return Optional.ofNullable(stack.peekLast());
    }
  }

  /** Pushes {@code workflow} on this thread and returns the stack it went on. */
  static Deque<Workflow> push(Workflow workflow) {
    Deque<Workflow> stack = STACK.get();
    synchronized (stack) {
      stack.addLast(workflow);
    }
    return stack;
  }

  static void remove(Deque<Workflow> stack, Workflow workflow) {
    synchronized (stack) {
      stack.removeLastOccurrence(workflow);
    }
  }
}
