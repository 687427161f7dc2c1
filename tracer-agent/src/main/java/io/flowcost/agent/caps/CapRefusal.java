package io.flowcost.agent.caps;

/**
 * Returned by a hook's entry advice instead of its token when a call must not start: the advice
 * skips the instrumented method ({@code skipOn = CapRefusal.class}) and its exit advice throws
 * {@link #exception()} into the application, unchanged.
 *
 * <p>Every hook handles a refusal in one line, none with an {@code instanceof} test of its own:
 * its exit throws {@link #thrown(Object, Throwable)} (the refusal's exception for a refusal token,
 * else what the method threw); an asynchronous result uses {@link #exceptionOf(Object)}; an HTTP
 * hook takes a refused exchange's token from {@code HttpExchange.refusalOf}.
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

  /** Whether a hook's token is a refusal (the instrumented method was, or must be, skipped). */
  public static boolean isRefusal(Object token) {
    return token instanceof CapRefusal;
  }

  /**
   * What an instrumented method throws: the refusal's exception when {@code token} is a refusal,
   * else {@code thrown} (the method's own throwable, or {@code null}).
   */
  public static Throwable thrown(Object token, Throwable thrown) {
    return token instanceof CapRefusal ? ((CapRefusal) token).exception : thrown;
  }

  /**
   * The refusal's exception when {@code token} is a refusal, else {@code null}: for an exit that
   * returns a {@code RuntimeException} to throw rather than a {@code Throwable}.
   */
  public static RuntimeException exceptionOf(Object token) {
    return token instanceof CapRefusal ? ((CapRefusal) token).exception : null;
  }

}
