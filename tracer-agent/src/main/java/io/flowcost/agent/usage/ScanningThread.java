package io.flowcost.agent.usage;

/**
 * A thread of the agent's own that reads many answers' usage — the export thread, which reads
 * each answer left for it when it encodes the answer's span ({@code AgentTracer.endLate}) — and
 * keeps its {@link UsageScanner} in a field. {@link UsageScanner#get()} then finds it without a
 * {@code ThreadLocal} look-up: on the export thread, which runs once per batch of 512 spans, that
 * look-up's map, table and entry are out of the cache each time (about 3 % of the thread's CPU in
 * the side-by-side run's profile). Any other thread uses the {@code ThreadLocal}.
 */
public final class ScanningThread extends Thread {

  /** This thread's scanner, made by its first read; only this thread touches it. */
  private UsageScanner scanner;

  /** A thread running {@code task}, named {@code name}. */
  public ScanningThread(Runnable task, String name) {
    super(task, name);
  }

  /** The scanner of this thread, which must be the calling thread. */
  UsageScanner scanner() {
    UsageScanner s = scanner;
    if (s == null) {
      s = UsageScanner.create();
      scanner = s;
    }
    return s;
  }
}
