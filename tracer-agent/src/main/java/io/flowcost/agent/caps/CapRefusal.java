package io.flowcost.agent.caps;

/**
 * Returned by a hook's entry advice instead of its token when a call must not start: the advice
 * skips the instrumented method ({@code skipOn = CapRefusal.class}) and its exit advice throws
 * {@link #exception()} into the application, unchanged.
 */
public final class CapRefusal {

  private final RuntimeException exception;

  CapRefusal(RuntimeException exception) {
    this.exception = exception;
  }

  /** A refusal throwing {@code exception} (a refused workflow, surfaced by the hook that opened it). */
  public static CapRefusal of(RuntimeException exception) {
    return new CapRefusal(exception);
  }

  /** The exception to throw: {@code WorkflowCapExceededException} when the app can load it. */
  public RuntimeException exception() {
    return exception;
  }
}
