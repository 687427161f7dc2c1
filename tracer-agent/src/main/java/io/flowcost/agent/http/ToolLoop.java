package io.flowcost.agent.http;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.ToolSpans;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.usage.ToolAnswer;
import io.flowcost.agent.usage.ToolCallRef;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tool executions of a function-calling loop the application runs itself over a model SDK (the
 * OpenAI Java SDK, the Google Gen AI SDK, the AWS SDK's Bedrock Converse), seen on the wire. The
 * SDK runs no tool: the application reads the tool calls from an answer, runs the functions and
 * sends their results back in its next request. So each tool call an answer asks for is remembered
 * (with its function name and the time the answer was read), and a later request that answers it
 * ({@link ToolWire#answered}) records one {@code tool} span: named by the function, from the
 * response that asked to the request that answered. That duration is an approximation of the
 * tool's own run time: it includes whatever the application did in between (parsing the arguments,
 * building the next request). Its status is OK unless the wire marks the result an error (Bedrock's
 * {@code toolResult.status: "error"}); the result itself is never read.
 *
 * <p>A call is answered once: the conversation history resent with every later request finds it
 * no longer pending. Calls are paired by id; a Gemini call without an id is paired by function name
 * with the first unanswered call of that name asked in the same workflow (the one open around the
 * request, or none), in order — an approximation: two id-less calls of one function answered out of
 * order swap their durations, and without a workflow every id-less call of a name shares one queue.
 * The span goes to the workflow of the answering request — the open one when the application
 * opened one around its loop; without a boundary each model call is its own implicit workflow and
 * the tool row lands in the answering call's. Pending calls are kept in memory only (ids and
 * function names, never arguments), at most {@value #MAX_PENDING}, and forgotten after {@value
 * #MAX_PENDING_MINUTES} minutes: a loop abandoned half-way records nothing.
 */
public final class ToolLoop {

  /** Most tool calls waiting for an answer; the oldest is forgotten first. */
  public static final int MAX_PENDING = 4096;

  /** How long a tool call waits for its answer. */
  static final long MAX_PENDING_MINUTES = 60;

  /** Numbers id-less calls so that two of one name in one workflow are two entries. */
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private static final Map<String, Pending> PENDING =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
          return size() > MAX_PENDING;
        }
      };

  private ToolLoop() {}

  /**
   * Whether tool calls seen in the current context are inferred here: not when a framework above
   * the SDK (Spring AI's {@code ChatModel}, which leaves {@link RequestHints}) sends the request —
   * it records its own tool executions. (LangChain4j's model over the SDK opens its logical call
   * first, so the SDK hook opens none and never gets here.)
   */
  public static boolean infersHere() {
    return !RequestHints.present();
  }

  /**
   * The key that pairs id-less calls within one workflow: the id of the workflow open on this
   * thread (not opening a boundary's), or {@code ""} when none is. Read before the model call
   * opens its own implicit workflow.
   */
  public static String workflowKey() {
    Workflow workflow = AgentContext.startedWorkflow();
    return workflow == null ? "" : workflow.id();
  }

  /** An answer on {@code wire} asked for these tool calls, read completely now. Never throws. */
  public static void asked(ToolWire wire, List<ToolCallRef> calls, String workflowKey) {
    if (calls == null || calls.isEmpty()) {
      return;
    }
    long now = nowEpochNanos();
    synchronized (PENDING) {
      for (ToolCallRef call : calls) {
        String key = call.id() != null
            ? idKey(wire, call.id())
            : nameKey(wire, workflowKey, call.name()) + SEQUENCE.incrementAndGet();
        PENDING.put(key, new Pending(call.name(), now));
      }
    }
  }

  /** Whether any tool call waits for its answer (a cheap check before parsing a request). */
  public static boolean anyPending() {
    synchronized (PENDING) {
      return !PENDING.isEmpty();
    }
  }

  /**
   * A request on {@code wire} is about to be sent with this JSON body: records one tool span under
   * {@code parent} for each pending tool call it answers. Never throws.
   */
  public static void answering(
      ToolWire wire, byte[] requestJson, Context parent, String workflowKey) {
    answering(wire, requestJson, parent, workflowKey, nowEpochNanos());
  }

  /**
   * As {@link #answering(ToolWire, byte[], Context, String)}, the tool spans ending at {@code
   * answeredEpochNanos}: when the answering request's call started, for a hook that reads the
   * request's body only after its call span has started (Bedrock's marshalled body).
   */
  public static void answering(ToolWire wire, byte[] requestJson, Context parent,
      String workflowKey, long answeredEpochNanos) {
    try {
      if (requestJson == null || !anyPending()) {
        return;
      }
      answered(wire, wire.answered(requestJson), parent, workflowKey, answeredEpochNanos);
    } catch (Throwable t) {
      AgentLog.failure("sdk tool loop", t);
    }
  }

  /**
   * A request on {@code wire} answers these tool calls, read from the request object the
   * application passed rather than from its JSON (a Bedrock request refused by a cap is never
   * marshalled): records one tool span under {@code parent} for each pending call, ending at
   * {@code answeredEpochNanos}. Never throws.
   */
  public static void answered(ToolWire wire, List<ToolAnswer> answers, Context parent,
      String workflowKey, long answeredEpochNanos) {
    try {
      if (answers.isEmpty()) {
        return;
      }
      long now = answeredEpochNanos;
      long forgetBefore = now - TimeUnit.MINUTES.toNanos(MAX_PENDING_MINUTES);
      for (ToolAnswer answer : answers) {
        Pending pending = take(wire, answer, workflowKey);
        if (pending == null || pending.askedEpochNanos < forgetBefore) {
          continue;
        }
        Span span = ToolSpans.builder(pending.name)
            .setParent(parent)
            .setStartTimestamp(pending.askedEpochNanos, TimeUnit.NANOSECONDS)
            .startSpan();
        if (answer.error()) {
          AgentContext.recordError(span, "tool_error");
        }
        span.end(Math.max(now, pending.askedEpochNanos), TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      AgentLog.failure("sdk tool loop", t);
    }
  }

  /** Removes and returns the pending call an answer answers: by id, else by name in order. */
  private static Pending take(ToolWire wire, ToolAnswer answer, String workflowKey) {
    synchronized (PENDING) {
      if (answer.id() != null) {
        Pending byId = PENDING.remove(idKey(wire, answer.id()));
        if (byId != null) {
          return byId;
        }
      }
      if (answer.name() == null) {
        return null;
      }
      String prefix = nameKey(wire, workflowKey, answer.name());
      for (Iterator<Map.Entry<String, Pending>> it = PENDING.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Pending> entry = it.next();
        if (entry.getKey().startsWith(prefix)) {
          it.remove();
          return entry.getValue();
        }
      }
      return null;
    }
  }

  private static String idKey(ToolWire wire, String id) {
    return wire.name() + '\u0000' + id;
  }

  private static String nameKey(ToolWire wire, String workflowKey, String name) {
    return wire.name() + '\u0001' + workflowKey + '\u0000' + name + '\u0000';
  }

  /** Forgets every pending tool call (tests). */
  public static void clear() {
    synchronized (PENDING) {
      PENDING.clear();
    }
  }

  /** Now, in epoch nanoseconds (the clock of the tool spans' times). */
  public static long nowEpochNanos() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  private static final class Pending {
    final String name;
    final long askedEpochNanos;

    Pending(String name, long askedEpochNanos) {
      this.name = name;
      this.askedEpochNanos = askedEpochNanos;
    }
  }
}
