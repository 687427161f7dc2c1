package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.CallRecord;

/** Prices a call row: fills cost, cache savings, unpriced flag, catalog version and price key. */
@FunctionalInterface
public interface CallCoster {
  CallRecord price(CallRecord call);
}
