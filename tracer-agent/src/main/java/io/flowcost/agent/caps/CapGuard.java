package io.flowcost.agent.caps;

import io.flowcost.contract.SpanKeys;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.prices.AgentPrices;
import io.flowcost.agent.usage.Usage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.math.BigDecimal;
import java.util.List;

/**
 * Checks a workflow's caps where a model or tool call is about to start, and adds what finished
 * calls spent. Runs on the application's thread: no I/O, no locks beyond the workflow's own.
 *
 * <p>The first time a workflow reaches a cap, the agent logs one line and records a breach span
 * (a child of the workflow span, attributes {@code flowcost.cap.*}; see {@code docs/spans.md}),
 * which the collector turns into a {@code cap_breaches} row. In {@code enforce} mode the call is
 * refused: {@link #beforeModelCall} / {@link #beforeToolCall} return a {@link CapRefusal}.
 *
 * <p>Every hook that starts a logical model call checks here first — LangChain4j's chat models,
 * the OpenAI/Anthropic SDKs, and bare model requests of the HTTP clients — and only the outermost
 * one does (a request of LangChain4j's or an SDK's HTTP client is an attempt of that call, not a
 * call of its own: {@code HttpExchanges}), so a call is counted once. A model call outside any
 * workflow opens an implicit one, which {@link BudgetGate} may refuse.
 */
public final class CapGuard {

  /** Marks a breach span. */
  public static final AttributeKey<Boolean> BREACH = AttributeKey.booleanKey(SpanKeys.CAP_BREACH);
  /** The cap's key, e.g. {@code max-cost-usd}. */
  public static final AttributeKey<String> KIND = AttributeKey.stringKey(SpanKeys.CAP_KIND);
  /** The limit, a plain decimal string in the cap's unit. */
  public static final AttributeKey<String> LIMIT = AttributeKey.stringKey(SpanKeys.CAP_LIMIT);
  /** The spend at the breach, a plain decimal string in the cap's unit. */
  public static final AttributeKey<String> SPENT = AttributeKey.stringKey(SpanKeys.CAP_SPENT);
  /** The unit of limit and spend: {@code USD}, {@code tokens}, {@code calls}, {@code ms}. */
  public static final AttributeKey<String> UNIT = AttributeKey.stringKey(SpanKeys.CAP_UNIT);
  /** {@code warn} or {@code enforce}. */
  public static final AttributeKey<String> MODE = AttributeKey.stringKey(SpanKeys.CAP_MODE);
  /** Whether the call was refused. */
  public static final AttributeKey<Boolean> ENFORCED = AttributeKey.booleanKey(SpanKeys.CAP_ENFORCED);
  /** Model calls the workflow started before the breach. */
  public static final AttributeKey<Long> MODEL_CALLS = AttributeKey.longKey(SpanKeys.CAP_MODEL_CALLS);
  /** Tool calls the workflow started before the breach. */
  public static final AttributeKey<Long> TOOL_CALLS = AttributeKey.longKey(SpanKeys.CAP_TOOL_CALLS);
  /** Priced cost of the workflow at the breach (USD, plain decimal string), as the agent priced it. */
  public static final AttributeKey<String> COST_USD = AttributeKey.stringKey(SpanKeys.CAP_COST_USD);

  private static volatile CallCostEstimator estimator = CallCostEstimator.NONE;

  private CapGuard() {}

  /** Installs what prices calls for cost caps (replaced when a newer catalog arrives). */
  public static void installEstimator(CallCostEstimator costEstimator) {
    estimator = costEstimator == null ? CallCostEstimator.NONE : costEstimator;
  }

  /** The caps state of a workflow opening now, or {@code null} when it has no caps. */
  public static WorkflowSpend open(String id, String name, String apiCaps) {
    CapsSettings settings = AgentContext.config().caps();
    Caps caps = settings.forWorkflow(name, apiCaps);
    if (caps.isEmpty()) {
      return null;
    }
    if (caps.limit(Cap.MAX_COST_USD) != null && estimator == CallCostEstimator.NONE) {
      // the first cost-capped workflow waits for the bundled catalog (read from the agent jar on
      // the price thread, no network), so that its first calls are priced
      AgentPrices.awaitFirstCatalog();
      if (estimator == CallCostEstimator.NONE) {
        AgentLog.once("cost-caps-inactive", "max-cost-usd caps are set but the agent has no price"
            + " catalog yet: cost caps are inactive until it has one (other caps apply)");
      }
    }
    return new WorkflowSpend(id, name, caps, System.nanoTime());
  }

  /**
   * Before a model call starts in the current context. Never throws.
   *
   * @param appLoader the class loader of the instrumented client, to create the exception from
   * @return a {@link CapRefusal} when the call must not start, else {@code null}
   */
  public static CapRefusal beforeModelCall(ClassLoader appLoader) {
    return beforeModelCall(appLoader, Context.current());
  }

  /**
   * {@link #beforeModelCall(ClassLoader)} in {@code current}, the current context, which the
   * caller holds and passes on to the call it starts (one look-up of the thread's context).
   */
  public static CapRefusal beforeModelCall(ClassLoader appLoader, Context current) {
    return before(WorkflowSpend.CallType.MODEL, appLoader, true, current);
  }

  /**
   * {@link #beforeModelCall(ClassLoader)} in a context whose workflow the caller looked up
   * ({@code workflow}: {@code AgentContext.currentWorkflow} of the current context, possibly
   * {@code null}) and passes on to the call it starts: one look-up of the workflow for both.
   */
  public static CapRefusal beforeModelCallIn(ClassLoader appLoader, Workflow workflow) {
    return before(WorkflowSpend.CallType.MODEL, appLoader, true, workflow);
  }

  /** Before a tool call starts in the current context; as {@link #beforeModelCall}. */
  public static CapRefusal beforeToolCall(ClassLoader appLoader) {
    return beforeToolCall(appLoader, Context.current());
  }

  /** {@link #beforeToolCall(ClassLoader)} in {@code current}, the current context. */
  public static CapRefusal beforeToolCall(ClassLoader appLoader, Context current) {
    return before(WorkflowSpend.CallType.TOOL, appLoader, true, current);
  }

  /**
   * Before a model request a hook cannot stop (Reactor Netty's head written from {@code
   * onOutboundComplete}, where a failure would not reach the response): the workflow's caps are
   * checked and a breach is recorded as in warn mode ({@code enforced=false}, because the request
   * does go out), whatever {@code flowcost.caps.mode} says. The call is counted like any other.
   * Never throws.
   */
  public static void beforeUnstoppableModelCall() {
    before(WorkflowSpend.CallType.MODEL, null, false, Context.current());
  }

  private static CapRefusal before(
      WorkflowSpend.CallType type, ClassLoader appLoader, boolean canRefuse, Context current) {
    Workflow workflow;
    try {
      workflow = AgentContext.currentWorkflow(current);
    } catch (Throwable t) {
      AgentLog.failure("cap check", t);
      return null;
    }
    return before(type, appLoader, canRefuse, workflow);
  }

  private static CapRefusal before(
      WorkflowSpend.CallType type, ClassLoader appLoader, boolean canRefuse, Workflow workflow) {
    try {
      if (workflow == null && !canRefuse) {
        return null; // a new implicit workflow the hook could not refuse anyway
      }
      if (workflow == null) {
        // the call opens an implicit workflow: a new workflow of the configured tags' owners
        return type == WorkflowSpend.CallType.MODEL
            ? BudgetGate.beforeWorkflow(
                AgentContext.config().serviceName() + ":implicit", AgentContext.config().tags(),
                appLoader)
            : null;
      }
      WorkflowSpend spend = workflow.spend();
      if (spend == null) {
        return null;
      }
      boolean enforce = canRefuse && AgentContext.config().caps().mode() == CapMode.ENFORCE;
      WorkflowSpend.Breach breach = spend.beforeCall(type, enforce, System.nanoTime());
      if (breach == null) {
        return null;
      }
      if (breach.first()) {
        record(workflow, breach, enforce);
      }
      return enforce ? new CapRefusal(CapExceptions.create(appLoader, breach)) : null;
    } catch (Throwable t) {
      AgentLog.failure("cap check", t);
      return null;
    }
  }

  private static void record(Workflow workflow, WorkflowSpend.Breach breach, boolean enforce) {
    Cap cap = breach.cap();
    String mode = enforce ? "enforce" : "warn";
    Span span =
        AgentContext.tracer()
            .spanBuilder("cap_breach " + cap.key())
            .setParent(Context.root().with(workflow.rootSpan()))
            .setAttribute(BREACH, true)
            .setAttribute(SpanAttributes.WORKFLOW_NAME, breach.workflow().workflowName())
            .setAttribute(KIND, cap.key())
            .setAttribute(LIMIT, breach.limit().toPlainString())
            .setAttribute(SPENT, breach.spent().toPlainString())
            .setAttribute(UNIT, cap.unit())
            .setAttribute(MODE, mode)
            .setAttribute(ENFORCED, enforce)
            .setAttribute(MODEL_CALLS, breach.modelCalls())
            .setAttribute(TOOL_CALLS, breach.toolCalls())
            .setAttribute(COST_USD, breach.costUsd().toPlainString())
            .startSpan();
    span.end();
    AgentLog.info(CapExceptions.message(breach)
        + (enforce ? "; calls refused (flowcost.caps.mode=enforce)"
            : "; calls go on (flowcost.caps.mode=warn; logged once per workflow and cap)"));
  }

  /**
   * Adds a finished model call to its workflow's spend. Never throws.
   *
   * @param usages the usage of each billed attempt (nulls ignored)
   */
  public static void modelCallEnded(
      WorkflowSpend spend, String provider, String requestModel, String responseModel,
      List<Usage> usages) {
    if (spend == null) {
      return;
    }
    try {
      long tokens = 0;
      BigDecimal cost = BigDecimal.ZERO;
      boolean priced = true;
      for (Usage usage : usages) {
        if (usage == null) {
          continue;
        }
        tokens += n(usage.inputTokens()) + n(usage.outputTokens());
        BigDecimal c = estimator.cost(provider, requestModel, responseModel, usage);
        if (c == null) {
          priced = false;
        } else {
          cost = cost.add(c);
        }
      }
      spend.addModelCall(tokens, priced ? cost : null);
    } catch (Throwable t) {
      AgentLog.failure("cap spend", t);
    }
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }
}
