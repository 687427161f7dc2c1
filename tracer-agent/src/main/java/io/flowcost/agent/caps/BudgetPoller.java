package io.flowcost.agent.caps;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.export.ConditionalGet;
import java.io.IOException;

/**
 * Fetches the collector's budget status ({@code GET /v1/budgets}, with {@code If-None-Match}) on
 * a daemon thread of its own, {@code flowcost-budgets}, and installs it in {@link BudgetGate}. The
 * application's threads never wait on it: while the collector is slow, down or a black hole, only
 * this thread waits (bounded by its timeouts) and the gate keeps the last status until it is older
 * than {@code flowcost.budgets.max-age}.
 *
 * <p>Fetches through {@link ConditionalGet}, the pollers' one HTTP client. Response bodies are
 * parsed, never logged.
 */
public final class BudgetPoller implements Runnable {

  /** The thread's name. */
  public static final String THREAD_NAME = "flowcost-budgets";

  private static final int READ_TIMEOUT_MILLIS = 5_000;
  /** A larger body is refused: a budgets file has a line per owner, not millions. */
  private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final ConditionalGet resource;
  private final long pollMillis;
  private String etag;

  BudgetPoller(String budgetsUrl, String apiKey, long pollMillis) throws IOException {
    this.resource = new ConditionalGet(budgetsUrl, apiKey, READ_TIMEOUT_MILLIS, MAX_BODY_BYTES);
    this.pollMillis = pollMillis;
  }

  /**
   * Starts polling when {@code settings} enable it. Never throws.
   *
   * @param budgetsUrl the collector's {@code /v1/budgets} URL
   * @param apiKey the export API key, or {@code null}
   * @return the thread, or {@code null} when off or the URL is not valid
   */
  public static Thread start(String budgetsUrl, String apiKey, BudgetSettings settings) {
    if (!settings.enabled()) {
      return null;
    }
    try {
      Thread t = new Thread(new BudgetPoller(budgetsUrl, apiKey, settings.pollMillis()),
          THREAD_NAME);
      t.setDaemon(true);
      t.start();
      return t;
    } catch (IOException | RuntimeException e) {
      AgentLog.info("budgets are not followed: " + e.getClass().getName()
          + " for the collector URL. The application is not affected.");
      return null;
    }
  }

  @Override
  public void run() {
    while (!Thread.currentThread().isInterrupted()) {
      pollOnce();
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One fetch; the outcome goes to {@link BudgetGate}. Never throws. */
  void pollOnce() {
    ConditionalGet.Result result = resource.fetch(etag);
    long now = System.nanoTime();
    if (result instanceof ConditionalGet.Unchanged) {
      BudgetGate.update(BudgetGate.status().confirmedAt(now));
    } else if (result instanceof ConditionalGet.Changed changed) {
      try {
        BudgetGate.update(BudgetStatus.parse(changed.body(), now));
        etag = changed.etag();
      } catch (IOException | RuntimeException e) {
        // malformed: keep the last status; BudgetGate stops using it once stale
        AgentLog.once("budgets-unreadable", "the collector's budget status is not readable ("
            + e.getClass().getName() + "); the last status is used for at most "
            + BudgetSettings.MAX_AGE_KEY + ". The application is not affected.");
      }
    } else if (result instanceof ConditionalGet.Failed failed) {
      int code = failed.status();
      if (code == 0) {
        // down or slow: keep the last status; BudgetGate stops using it once stale
        AgentLog.once("budgets-unreachable", "cannot fetch the collector's budget status ("
            + failed.reason() + "); the last status is used for at most "
            + BudgetSettings.MAX_AGE_KEY + ". The application is not affected.");
      } else if (code == 200) {
        AgentLog.once("budgets-too-large", "GET /v1/budgets answered more than 8 MiB: ignored");
      } else {
        AgentLog.once("budgets-http-" + code, "the collector answered " + code + " to GET"
            + " /v1/budgets" + (code == 401 || code == 403 ? " (check flowcost.api-key)"
                : code == 404 ? " (a collector without budgets support)" : "")
            + ": budgets are not enforced by this agent until it answers 200");
      }
    }
  }
}
