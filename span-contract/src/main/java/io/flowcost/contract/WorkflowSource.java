package io.flowcost.contract;

import java.util.Locale;
import java.util.Optional;

/** How a workflow was opened ({@code flowcost.workflow.source}, the lake's {@code source}). */
public enum WorkflowSource {
  /** The agent, around a LangChain4j AI-service invocation. */
  AI_SERVICE("ai_service"),
  /** The application, through {@code outcome-api}. */
  API("api"),
  /** The agent, around a model call made with no workflow open. */
  IMPLICIT("implicit"),
  /**
   * The agent, around an incoming server request whose handling made model calls (named {@code
   * <METHOD> <route>}).
   */
  SERVER_REQUEST("server_request"),
  /** The agent, around a method listed in {@code flowcost.workflow.methods} that made model calls. */
  METHOD("method"),
  /** The collector, for a trace whose root span no Flowcost producer wrote. */
  FOREIGN("foreign");

  private final String wire;

  WorkflowSource(String wire) {
    this.wire = wire;
  }

  /** The spelling on spans and in the lake. */
  public String wire() {
    return wire;
  }

  /** The source spelled {@code value} (case-insensitive), or empty for null or unknown. */
  public static Optional<WorkflowSource> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (WorkflowSource s : values()) {
      if (s.wire.equals(v)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
