package io.flowcost.examples.fakeprovider;

/** What a response of the fake provider carried. */
public enum ReplyKind {
  /** A final assistant text answer. */
  TEXT,
  /** An assistant turn asking the client to run one tool. */
  TOOL_CALL,
  /** An embeddings result. */
  EMBEDDING,
  /** A provider error body with a 4xx/5xx status. */
  ERROR
}
