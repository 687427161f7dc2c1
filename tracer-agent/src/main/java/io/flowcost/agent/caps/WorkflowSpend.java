package io.flowcost.agent.caps;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What one workflow has spent so far in this JVM, and its caps. Thread-safe: a workflow's calls
 * may run on several threads.
 *
 * <p>The rule: a call may start only while every measure that applies to it is below its cap.
 * Cost, tokens and wall time apply to every model and tool call; model calls counts only model
 * calls, tool calls only tool calls (both count the calls started, so {@code max-model-calls=40}
 * lets 40 start and refuses the 41st).
 */
public final class WorkflowSpend {

  /** The kind of call about to start. */
  public enum CallType {
    MODEL,
    TOOL
  }

  private final String workflowId;
  private final String workflowName;
  private final Caps caps;
  private final long startNanoTime;
  private final Set<Cap> breached = EnumSet.noneOf(Cap.class);
  private long modelCalls;
  private long toolCalls;
  private long tokens;
  private BigDecimal costUsd = BigDecimal.ZERO;
  private long unpricedCalls;

  /**
   * @param startNanoTime {@link System#nanoTime()} when the workflow opened
   */
  public WorkflowSpend(String workflowId, String workflowName, Caps caps, long startNanoTime) {
    this.workflowId = workflowId;
    this.workflowName = workflowName;
    this.caps = caps;
    this.startNanoTime = startNanoTime;
  }

  /** The workflow's 32-hex id. */
  public String workflowId() {
    return workflowId;
  }

  /** The workflow's name. */
  public String workflowName() {
    return workflowName;
  }

  /** Its caps. */
  public Caps caps() {
    return caps;
  }

  /**
   * Checks the caps before a call starts and counts the call if it may start.
   *
   * @param type model or tool call
   * @param refuse {@code true} in enforce mode: a breached call is not counted (it never starts)
   * @param nowNanoTime {@link System#nanoTime()} now
   * @return the first cap reached, or {@code null} when the call may start within its caps
   */
  public synchronized Breach beforeCall(CallType type, boolean refuse, long nowNanoTime) {
    Breach breach = null;
    if (!caps.isEmpty()) {
      for (Map.Entry<Cap, BigDecimal> e : caps.limits().entrySet()) {
        BigDecimal spent = measure(e.getKey(), type, nowNanoTime);
        if (spent != null && spent.compareTo(e.getValue()) >= 0) {
          boolean first = breached.add(e.getKey());
          breach = new Breach(this, e.getKey(), e.getValue(), spent, first, modelCalls, toolCalls,
              costUsd);
          break;
        }
      }
    }
    if (breach == null || !refuse) {
      if (type == CallType.MODEL) {
        modelCalls++;
      } else {
        toolCalls++;
      }
    }
    return breach;
  }

  /** The spend measured by {@code cap}, or {@code null} when the cap does not apply to {@code type}. */
  private BigDecimal measure(Cap cap, CallType type, long nowNanoTime) {
    switch (cap) {
      case MAX_COST_USD:
        return costUsd;
      case MAX_TOKENS:
        return BigDecimal.valueOf(tokens);
      case MAX_MODEL_CALLS:
        return type == CallType.MODEL ? BigDecimal.valueOf(modelCalls) : null;
      case MAX_TOOL_CALLS:
        return type == CallType.TOOL ? BigDecimal.valueOf(toolCalls) : null;
      case MAX_WALL_TIME:
        return BigDecimal.valueOf(Math.max(0, (nowNanoTime - startNanoTime) / 1_000_000L));
      default:
        return null;
    }
  }

  /**
   * Adds a finished model call's tokens and cost.
   *
   * @param callTokens input plus output tokens
   * @param cost its cost in USD, or {@code null} when it could not be priced
   */
  public synchronized void addModelCall(long callTokens, BigDecimal cost) {
    tokens += Math.max(0, callTokens);
    if (cost != null) {
      costUsd = costUsd.add(cost);
    } else {
      unpricedCalls++;
    }
  }

  /** Model calls started so far. */
  public synchronized long modelCalls() {
    return modelCalls;
  }

  /** Tool calls started so far. */
  public synchronized long toolCalls() {
    return toolCalls;
  }

  /** Tokens of finished model calls so far. */
  public synchronized long tokens() {
    return tokens;
  }

  /** Priced cost of finished model calls so far, USD. */
  public synchronized BigDecimal costUsd() {
    return costUsd;
  }

  /** Finished model calls that could not be priced. */
  public synchronized long unpricedCalls() {
    return unpricedCalls;
  }

  /**
   * A cap found reached before a call started.
   *
   * @param first {@code true} the first time this cap was reached in this workflow
   */
  public static final class Breach {
    private final WorkflowSpend workflow;
    private final Cap cap;
    private final BigDecimal limit;
    private final BigDecimal spent;
    private final boolean first;
    private final long modelCalls;
    private final long toolCalls;
    private final BigDecimal costUsd;

    Breach(WorkflowSpend workflow, Cap cap, BigDecimal limit, BigDecimal spent, boolean first,
        long modelCalls, long toolCalls, BigDecimal costUsd) {
      this.workflow = workflow;
      this.cap = cap;
      this.limit = limit;
      this.spent = spent;
      this.first = first;
      this.modelCalls = modelCalls;
      this.toolCalls = toolCalls;
      this.costUsd = costUsd;
    }

    public WorkflowSpend workflow() {
      return workflow;
    }

    public Cap cap() {
      return cap;
    }

    public BigDecimal limit() {
      return limit;
    }

    public BigDecimal spent() {
      return spent;
    }

    /** The first time this workflow reached this cap: log and record it. */
    public boolean first() {
      return first;
    }

    /** Model calls started before the breach. */
    public long modelCalls() {
      return modelCalls;
    }

    /** Tool calls started before the breach. */
    public long toolCalls() {
      return toolCalls;
    }

    /** Priced cost of the workflow at the breach, USD. */
    public BigDecimal costUsd() {
      return costUsd;
    }
  }
}
