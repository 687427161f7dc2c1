package io.flowcost.collector.pipeline;

import java.time.LocalDate;
import java.util.Set;

/** Told what a lake flush published, so derived tables of the affected days can be rebuilt. */
@FunctionalInterface
public interface ChangeListener {
  void published(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> days);
}
