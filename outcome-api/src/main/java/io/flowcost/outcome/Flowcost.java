package io.flowcost.outcome;

import io.flowcost.outcome.internal.Ids;
import io.flowcost.outcome.spi.AgentBridge;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Entry point of the Flowcost outcome API: name and tag workflows, and report their outcomes.
 *
 * <pre>{@code
 * try (Workflow wf = Flowcost.workflow("summarize-claim").tag("team", "claims")
 *     .externalKey(claim.id()).start()) {
 *   String summary = assistant.summarize(claim);      // LangChain4j calls join the workflow
 *   wf.success();                                     // or later: Flowcost.outcomeForKey(id)...
 * }
 * }</pre>
 *
 * <p>With the Flowcost agent attached, workflows opened here are the agent's workflow spans.
 * Without it, this class keeps its own per-thread workflow context and sends each workflow span
 * to the collector itself (OTLP/JSON {@code POST /v1/traces}), so the workflow and its outcome
 * still reach the lake. Outcomes are sent asynchronously ({@code POST /v1/outcomes}) from one
 * daemon thread: reporting never blocks and never throws for delivery problems. Settings come
 * from system properties or the environment: {@code flowcost.endpoint} /
 * {@code FLOWCOST_ENDPOINT} (default {@code http://127.0.0.1:4318}), {@code flowcost.service} /
 * {@code FLOWCOST_SERVICE} (fallback {@code OTEL_SERVICE_NAME}), {@code flowcost.api-key} /
 * {@code FLOWCOST_API_KEY}, {@code flowcost.tags} / {@code FLOWCOST_TAGS}. Reports the collector
 * cannot take now (it is down or unreachable) wait on disk in {@code flowcost.spool.dir} (bounded
 * by {@code flowcost.spool.max-bytes}) and are sent when it is back, by this process or the next
 * one; JVM exit waits at most {@code flowcost.shutdown.timeout.ms} for pending reports.
 */
public final class Flowcost {

  private static final Object LOCK = new Object();
  private static volatile Reporter reporter;
  private static boolean hookInstalled;

  private Flowcost() {}

  /**
   * Starts describing a workflow.
   *
   * @param name the intent, e.g. {@code summarize-claim}
   * @throws IllegalArgumentException when {@code name} is null or blank
   */
  public static WorkflowBuilder workflow(String name) {
    return new WorkflowBuilder(name);
  }

  /**
   * The id (32 hex digits, the trace id) of the workflow open on this thread: the agent's if it
   * is attached, else the one opened with {@link #workflow}.
   */
  public static Optional<String> currentWorkflowId() {
    String fromAgent = AgentBridge.currentWorkflowId();
    if (fromAgent != null) {
      return Optional.of(fromAgent);
    }
    return LocalContext.current().map(Workflow::id);
  }

  /**
   * The 16-hex span id of the workflow span this API opened on this thread without the agent.
   * Instrumentation that has no agent (e.g. {@code flowcost-langchain4j}) uses it, with {@link
   * #currentWorkflowId()}, as the parent of its spans. Empty under the agent, which parents spans
   * itself.
   */
  public static Optional<String> currentWorkflowSpanId() {
    return LocalContext.current().flatMap(Workflow::spanId);
  }

  /**
   * Starts an outcome report for a workflow id.
   *
   * @param workflowId 32 hex digits, as from {@link Workflow#id()}
   * @throws IllegalArgumentException when {@code workflowId} is not 32 hex digits
   */
  public static OutcomeBuilder outcome(String workflowId) {
    return new OutcomeBuilder(Ids.requireTraceId(workflowId), null);
  }

  /**
   * Starts an outcome report for the workflow(s) carrying a business key, see {@link
   * WorkflowBuilder#externalKey}.
   *
   * @throws IllegalArgumentException when {@code externalKey} is null, blank or too long
   */
  public static OutcomeBuilder outcomeForKey(String externalKey) {
    return new OutcomeBuilder(null, OutcomeBuilder.requireText("externalKey", externalKey, OutcomeBuilder.MAX_KEY));
  }

  /**
   * Waits until every outcome and workflow span reported so far has been delivered or given up,
   * or, while the collector is unreachable, is safely in the on-disk spool (sent later).
   *
   * @return {@code true} when nothing is pending any more, {@code false} on timeout
   */
  public static boolean flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    Reporter current = reporter;
    return current == null || current.flush(timeout);
  }

  static Reporter reporter() {
    Reporter current = reporter;
    if (current != null) {
      return current;
    }
    synchronized (LOCK) {
      if (reporter == null) {
        reporter = Reporter.fromEnvironment();
        installShutdownHook();
      }
      return reporter;
    }
  }

  /** Replaces the process-wide reporter (tests), closing the previous one. */
  static void use(Reporter replacement) {
    synchronized (LOCK) {
      Reporter previous = reporter;
      reporter = replacement;
      if (previous != null) {
        previous.close();
      }
      installShutdownHook();
    }
  }

  private static void installShutdownHook() {
    if (hookInstalled) {
      return;
    }
    hookInstalled = true;
    Thread hook =
        new Thread(
            () -> {
              Reporter current = reporter;
              // Bounded (flowcost.shutdown.timeout.ms); with the collector down flush returns at
              // once, the reports being in the spool already.
              if (current != null && !current.flush(current.settings.shutdownTimeout())) {
                int lost = current.spoolPending();
                System.getLogger("io.flowcost.outcome").log(Level.WARNING, lost == 0
                    ? "Flowcost: reports still pending at JVM exit were spooled for the next run"
                    : "Flowcost: " + lost + " report(s) still pending at JVM exit were dropped");
              }
            },
            "flowcost-outcome-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting; nothing left to flush into.
    }
  }
}
