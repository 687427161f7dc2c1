package io.flowcost.collector.cli;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager removes every handler in a shutdown hook of its own, which runs at the same
 * time as the collector's: the lines that say the collector is flushing and has stopped were lost
 * on SIGTERM. This manager ignores that reset, so shutdown is logged like everything else.
 * Installed by {@link FlowcostCollector#main} through {@code java.util.logging.manager}.
 */
public final class ShutdownSafeLogManager extends LogManager {

  /** Called by the JDK. */
  public ShutdownSafeLogManager() {}

  @Override
  public void reset() {
    // Only the JDK's shutdown hook calls reset() here (LogSetup configures handlers directly);
    // the handlers write to stderr, which needs no closing.
  }
}
