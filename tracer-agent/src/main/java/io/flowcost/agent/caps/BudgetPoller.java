package io.flowcost.agent.caps;

import io.flowcost.agent.AgentLog;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;

/**
 * Fetches the collector's budget status ({@code GET /v1/budgets}, with {@code If-None-Match}) on
 * a daemon thread of its own, {@code flowcost-budgets}, and installs it in {@link BudgetGate}. The
 * application's threads never wait on it: while the collector is slow, down or a black hole, only
 * this thread waits (bounded by its timeouts) and the gate keeps the last status until it is older
 * than {@code flowcost.budgets.max-age}.
 *
 * <p>Uses {@link HttpURLConnection} like the span exporter (the agent's classes are on the
 * bootstrap class path, which cannot see {@code java.net.http}), bypassing proxies. Response
 * bodies are parsed, never logged.
 */
public final class BudgetPoller implements Runnable {

  /** The thread's name. */
  public static final String THREAD_NAME = "flowcost-budgets";

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  private static final int READ_TIMEOUT_MILLIS = 5_000;
  /** A larger body is refused: a budgets file has a line per owner, not millions. */
  private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final URL url;
  private final String apiKey;
  private final long pollMillis;
  private String etag;

  BudgetPoller(URL url, String apiKey, long pollMillis) {
    this.url = url;
    this.apiKey = apiKey;
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
      Thread t = new Thread(new BudgetPoller(new URL(budgetsUrl), apiKey, settings.pollMillis()),
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
    try {
      HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      try {
        c.setRequestMethod("GET");
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout(READ_TIMEOUT_MILLIS);
        c.setRequestProperty("Accept", "application/json");
        if (apiKey != null) {
          c.setRequestProperty("X-Flowcost-Api-Key", apiKey);
        }
        if (etag != null) {
          c.setRequestProperty("If-None-Match", etag);
        }
        int code = c.getResponseCode();
        long now = System.nanoTime();
        if (code == 304) {
          BudgetGate.update(BudgetGate.status().confirmedAt(now));
          drain(c.getErrorStream());
          return;
        }
        if (code != 200) {
          drain(c.getErrorStream());
          AgentLog.once("budgets-http-" + code, "the collector answered " + code + " to GET"
              + " /v1/budgets" + (code == 401 || code == 403 ? " (check flowcost.api-key)"
                  : code == 404 ? " (a collector without budgets support)" : "")
              + ": budgets are not enforced by this agent until it answers 200");
          return;
        }
        byte[] body;
        try (InputStream in = c.getInputStream()) {
          body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
          AgentLog.once("budgets-too-large", "GET /v1/budgets answered more than 8 MiB: ignored");
          return;
        }
        BudgetGate.update(BudgetStatus.parse(body, now));
        etag = c.getHeaderField("ETag");
      } finally {
        c.disconnect();
      }
    } catch (IOException | RuntimeException e) {
      // down, slow or malformed: keep the last status; BudgetGate stops using it once stale
      AgentLog.once("budgets-unreachable", "cannot fetch the collector's budget status ("
          + e.getClass().getName() + "); the last status is used for at most "
          + BudgetSettings.MAX_AGE_KEY + ". The application is not affected.");
    }
  }

  private static void drain(InputStream in) throws IOException {
    if (in != null) {
      try (InputStream i = in) {
        i.readNBytes(64 * 1024);
      }
    }
  }
}
