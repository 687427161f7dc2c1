package io.flowcost.contract;

import java.util.Locale;
import java.util.Optional;

/** What a call row is ({@code flowcost.call.kind}, the lake's {@code calls.kind}). */
public enum CallKind {
  /** A request to a generative model (chat, completion, content generation). */
  MODEL("model"),
  /** A request to an embedding model. */
  EMBEDDING("embedding"),
  /** A tool the application executed for a model. */
  TOOL("tool"),
  /** A retrieval (a content retriever or an embedding-store search); costs what runs beneath it. */
  RETRIEVAL("retrieval"),
  /** A plain HTTP request inside a workflow ({@code flowcost.http.capture=all}). */
  HTTP("http");

  private final String wire;

  CallKind(String wire) {
    this.wire = wire;
  }

  /** The spelling on spans and in the lake. */
  public String wire() {
    return wire;
  }

  /**
   * The kind spelled {@code value} (case-insensitive, surrounding blanks ignored), or empty for
   * {@code null} and for a spelling this version does not know — the caller decides what an
   * unknown kind means (the collector falls back to the span's operation).
   */
  public static Optional<CallKind> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (CallKind k : values()) {
      if (k.wire.equals(v)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
