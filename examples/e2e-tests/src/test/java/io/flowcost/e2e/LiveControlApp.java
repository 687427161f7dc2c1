package io.flowcost.e2e;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import io.flowcost.outcome.WorkflowCapExceededException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeSet;

/**
 * An app that calls a model with the bare JDK {@code HttpClient} (no LangChain4j, no SDK), under
 * the agent, for {@link AgentLiveControlEndToEndTest}. Prints one line per event; never prompt
 * text.
 *
 * <ul>
 *   <li>{@code loop URL}: one workflow calling the model until a cap refuses a call (at most 50).
 *   <li>{@code budget URL}: workflows of {@code team=payments} (the agent's {@code flowcost.tags}),
 *       one call each, until one is refused by the team's hard budget (bounded); then a call in a
 *       workflow opened before the refusal, a workflow of another team, and one more refusal.
 *   <li>{@code down URL N}: N workflows of one call each, then which threads are in the agent's
 *       budget fetch.
 * </ul>
 */
public final class LiveControlApp {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private LiveControlApp() {}

  public static void main(String[] args) throws Exception {
    String url = args[1] + "/chat/completions";
    switch (args[0]) {
      case "loop" -> loop(url);
      case "budget" -> budget(url);
      case "down" -> down(url, Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("mode");
    }
  }

  static void chat(String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
        .build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode());
    }
  }

  private static String describe(WorkflowCapExceededException e) {
    return "kind=" + e.capKind().key() + " limit=" + e.limit().toPlainString() + " spent="
        + e.spent().toPlainString() + " owner=" + e.owner();
  }

  private static void loop(String url) throws Exception {
    int done = 0;
    try (Workflow wf = Flowcost.workflow("bare-loop").start()) {
      while (done < 50) {
        chat(url);
        done++;
      }
      System.out.println("loop ended by app after " + done);
    } catch (WorkflowCapExceededException e) {
      System.out.println("stopped-by-cap after=" + done + " " + describe(e));
    }
  }

  private static void budget(String url) throws Exception {
    // opened before the team reaches its hard cap: its calls must still run afterwards
    Workflow running = Flowcost.workflow("long-running").start();
    chat(url);
    running.close();
    int ok = 1;
    WorkflowCapExceededException refused = null;
    long deadline = System.nanoTime() + 90_000_000_000L; // a bound, not a measurement
    while (refused == null && System.nanoTime() < deadline) {
      try (Workflow wf = Flowcost.workflow("pay-run").start()) {
        chat(url);
        ok++;
      } catch (WorkflowCapExceededException e) {
        refused = e;
      }
      Thread.sleep(200);
    }
    if (refused == null) {
      System.out.println("never refused after ok=" + ok);
      return;
    }
    System.out.println("refused " + describe(refused) + " workflowId=" + refused.workflowId()
        + " ok=" + ok);
    // a workflow of another team starts and its call runs
    try (Workflow other = Flowcost.workflow("search-run").tag("team", "search").start()) {
      chat(url);
      ok++;
      System.out.println("other-team ok");
    }
    try (Workflow again = Flowcost.workflow("pay-run").start()) {
      chat(url);
      System.out.println("NOT refused again");
    } catch (WorkflowCapExceededException e) {
      System.out.println("refused again " + describe(e));
    }
    System.out.println("calls-sent=" + ok);
  }

  private static void down(String url, int n) throws Exception {
    // a sampler watches this thread while it works: a fetch from the black hole on it would hold
    // it inside agent code talking to the network for seconds, and be seen
    Thread app = Thread.currentThread();
    java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger inAgentNetwork =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        boolean agent = false;
        for (StackTraceElement f : app.getStackTrace()) {
          String c = f.getClassName();
          // the export's network and disk side; not SpanBatcher, whose onEnd runs on the app's
          // thread by design (a lock and an array store: the queue the export thread drains,
          // as the SDK's batch processor did before it) and never touches the network
          agent |= c.equals("io.flowcost.agent.caps.BudgetPoller")
              || c.startsWith("io.flowcost.agent.export.")
                  && !c.equals("io.flowcost.agent.export.SpanBatcher");
        }
        samples.incrementAndGet();
        if (agent) {
          inAgentNetwork.incrementAndGet();
        }
        Thread.onSpinWait();
      }
    }, "sampler");
    sampler.start();
    for (int i = 0; i < n; i++) {
      try (Workflow wf = Flowcost.workflow("while-down").start()) {
        chat(url);
      }
    }
    done.set(true);
    sampler.join();
    System.out.println("calls=" + n);
    System.out.println("app-thread-in-budget-fetch-or-export=" + inAgentNetwork.get()
        + " samples-positive=" + (samples.get() > 0));
    // wait (bounded) until the agent's budget thread is inside the fetch from the black hole,
    // then name every thread that is in the fetch
    long deadline = System.nanoTime() + 60_000_000_000L;
    TreeSet<String> inFetch = new TreeSet<>();
    boolean pollerInSocket = false;
    while (!pollerInSocket && System.nanoTime() < deadline) {
      inFetch.clear();
      for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
        boolean poller = false;
        boolean socket = false;
        for (StackTraceElement f : e.getValue()) {
          poller |= f.getClassName().equals("io.flowcost.agent.caps.BudgetPoller");
          socket |= f.getClassName().startsWith("java.net.") || f.getClassName().startsWith("sun.nio.");
        }
        if (poller) {
          inFetch.add(e.getKey().getName() + (e.getKey().isDaemon() ? "(daemon)" : ""));
          pollerInSocket |= socket;
        }
      }
      Thread.sleep(50);
    }
    System.out.println("budget-fetch-threads=" + inFetch + " in-socket=" + pollerInSocket);
  }
}
