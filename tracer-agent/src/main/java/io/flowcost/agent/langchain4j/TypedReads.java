package io.flowcost.agent.langchain4j;

import io.flowcost.agent.AgentLog;

/**
 * Whether a hook's advice reads LangChain4j's values with plain calls (linked in the application's
 * class loader, inside LangChain4j's own method) rather than reflectively ({@link Reflect}): on
 * until one of those calls fails to link ({@link LinkageError}: a LangChain4j line without the
 * method or class), then off for good, the hook reading reflectively as the agent did before.
 * One per hook (or per read a supported line may lack), a constant of its tracing class.
 *
 * <p>Why typed reads at all: each reflective read goes through a customised method handle of its
 * own, met cold between two hooks in a running application (≈ 4 µs per AI-service invocation in
 * situ over ≈ 25 reads; docs/benchmarks.md, eleventh round).
 *
 * <p>Racy on purpose (a plain field, read on every call): a thread that still sees {@code true}
 * meets the same {@link LinkageError} once more and reads reflectively.
 */
public final class TypedReads {

  /**
   * Stands for a value a hook's advice did not read with a plain call (the switch off, or the
   * call failed): its tracing class then reads it reflectively. One sentinel for every hook.
   */
  public static final Object UNREAD = new Object();

  private final String logKey;
  private final String what;
  private boolean on = true;

  /**
   * @param logKey the key of the one log line written when the switch goes off, or {@code null}
   *     for a read whose absence is expected on a supported line (nothing is logged)
   * @param what what is read reflectively from then on, for that line
   */
  public TypedReads(String logKey, String what) {
    this.logKey = logKey;
    this.what = what;
  }

  /** Whether the advice reads with plain calls. */
  public boolean on() {
    return on;
  }

  /** A plain read failed to link: every later read of this hook is reflective. */
  public void off(LinkageError e) {
    if (on) {
      on = false;
      if (logKey != null) {
        AgentLog.once(logKey, what + " read reflectively from now on: " + e);
      }
    }
  }
}
