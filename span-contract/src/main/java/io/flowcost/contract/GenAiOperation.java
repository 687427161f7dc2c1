package io.flowcost.contract;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * GenAI operation names ({@code gen_ai.operation.name}) and what each one is to Flowcost: an
 * {@link Role#INFERENCE inference} (a billed model request: a call row, priced), a {@link
 * Role#TOOL tool} execution, a {@link Role#RETRIEVAL retrieval}, or {@link Role#SHAPING
 * shaping-only} — a span that groups others (an agent, a workflow, a framework's client or
 * advisor) and is never a call row of its own, so that it neither adds cost nor makes a workflow's
 * cost incomplete.
 *
 * <p>The conventions' names come first; then the spellings other producers use for the same
 * thing (Spring AI's {@code embedding} and {@code image}, older instrumentations' {@code
 * completion} and {@code responses}, Spring AI's {@code framework} for its ChatClient, advisor,
 * tool and vector-store observations — its tool spans are recognised by {@code spring.ai.kind =
 * tool_call}, not by this name).
 */
public enum GenAiOperation {
  CHAT("chat", Role.INFERENCE, CallKind.MODEL),
  TEXT_COMPLETION("text_completion", Role.INFERENCE, CallKind.MODEL),
  GENERATE_CONTENT("generate_content", Role.INFERENCE, CallKind.MODEL),
  EMBEDDINGS("embeddings", Role.INFERENCE, CallKind.EMBEDDING),
  /** Older instrumentations' name for a text completion. */
  COMPLETION("completion", Role.INFERENCE, CallKind.MODEL),
  /** OpenAI Responses API, as some instrumentations name it. */
  RESPONSES("responses", Role.INFERENCE, CallKind.MODEL),
  /** Spring AI's name for {@link #EMBEDDINGS}. */
  EMBEDDING("embedding", Role.INFERENCE, CallKind.EMBEDDING),
  /** Spring AI's image generation: a billed model request (not priced by token). */
  IMAGE("image", Role.INFERENCE, CallKind.MODEL),
  EXECUTE_TOOL("execute_tool", Role.TOOL, CallKind.TOOL),
  /** Flowcost's own operation for a retrieval. */
  RETRIEVAL("retrieval", Role.RETRIEVAL, CallKind.RETRIEVAL),
  INVOKE_AGENT("invoke_agent", Role.SHAPING, null),
  INVOKE_WORKFLOW("invoke_workflow", Role.SHAPING, null),
  CREATE_AGENT("create_agent", Role.SHAPING, null),
  /** Spring AI's ChatClient, advisor, tool-call and vector-store observations. */
  FRAMEWORK("framework", Role.SHAPING, null);

  /** What an operation is to Flowcost. */
  public enum Role {
    /** A billed model request: one call row (kind {@code model} or {@code embedding}). */
    INFERENCE,
    /** A tool execution: a {@code tool} call row. */
    TOOL,
    /** A retrieval: a {@code retrieval} call row that costs what the calls beneath it cost. */
    RETRIEVAL,
    /** Groups other spans; never a call row, never affects cost or its completeness. */
    SHAPING
  }

  private static final Map<String, GenAiOperation> BY_WIRE = byWire();

  private final String wire;
  private final Role role;
  private final CallKind kind;

  GenAiOperation(String wire, Role role, CallKind kind) {
    this.wire = wire;
    this.role = role;
    this.kind = kind;
  }

  /** The {@code gen_ai.operation.name} spelling. */
  public String wire() {
    return wire;
  }

  /** What this operation is to Flowcost. */
  public Role role() {
    return role;
  }

  /** The call kind of its row, or empty for a {@link Role#SHAPING shaping-only} operation. */
  public Optional<CallKind> callKind() {
    return Optional.ofNullable(kind);
  }

  /** {@code true} for a billed model request. */
  public boolean isInference() {
    return role == Role.INFERENCE;
  }

  /**
   * The operation spelled {@code value} (case-insensitive, blanks trimmed), or empty for {@code
   * null} and for a name this version does not know: the caller decides what an unknown operation
   * is (the collector treats it as shaping-only, so that a new kind of grouping span never becomes
   * an unpriced model row).
   */
  public static Optional<GenAiOperation> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_WIRE.get(value.trim().toLowerCase(Locale.ROOT)));
  }

  private static Map<String, GenAiOperation> byWire() {
    Map<String, GenAiOperation> map = new java.util.HashMap<>();
    for (GenAiOperation o : values()) {
      map.put(o.wire, o);
    }
    return Map.copyOf(map);
  }
}
