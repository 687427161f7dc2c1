package io.flowcost.contract;

import java.util.Locale;
import java.util.Optional;

/** How an attempt ended (the lake's {@code calls.status}). */
public enum CallStatus {
  /** The exchange succeeded. */
  OK("ok"),
  /** The exchange failed: span status ERROR or an HTTP status of 400 or more. */
  ERROR("error");

  private final String wire;

  CallStatus(String wire) {
    this.wire = wire;
  }

  /** The spelling in the lake. */
  public String wire() {
    return wire;
  }

  /** The status spelled {@code value} (case-insensitive), or empty for null or unknown. */
  public static Optional<CallStatus> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (CallStatus s : values()) {
      if (s.wire.equals(v)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
