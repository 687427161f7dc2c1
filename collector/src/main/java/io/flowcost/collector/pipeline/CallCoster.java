package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.CallRecord;
import java.util.Map;

/** Prices a call row: fills cost, cache savings, unpriced flag, catalog version and price key. */
@FunctionalInterface
public interface CallCoster {
  CallRecord price(CallRecord call);

  /**
   * The {@code provider/model} names seen unpriced since start, in the order first seen, with
   * their call counts (raw names from requests: escape before showing them). Empty by default.
   */
  default Map<String, Long> unpricedModels() {
    return Map.of();
  }
}
