package io.flowcost.collector.ingest;

import java.util.List;
import java.util.Map;

/**
 * What one OTLP export request turned into: call rows, workflow span rows, the spans that were
 * rejected (counted per service and reason, never silently dropped), the spans agents report
 * they had to drop themselves (resource attribute {@code flowcost.agent.dropped_spans}), cap
 * breach rows, and what call spans said about their running workflows ({@link WorkflowHint}, one
 * per workflow; not rows).
 */
public record IngestBatch(
    List<CallRecord> calls,
    List<WorkflowSpanRecord> workflowSpans,
    int spansReceived,
    Map<String, Integer> spansReceivedByService,
    Map<String, Integer> rejectedByReason,
    Map<String, Integer> rejectedByService,
    Map<String, Long> agentDroppedByService,
    List<CapBreachRecord> capBreaches,
    List<WorkflowHint> workflowHints) {

  public IngestBatch {
    workflowHints = List.copyOf(workflowHints);
    capBreaches = List.copyOf(capBreaches);
    calls = List.copyOf(calls);
    workflowSpans = List.copyOf(workflowSpans);
    spansReceivedByService = Map.copyOf(spansReceivedByService);
    rejectedByReason = Map.copyOf(rejectedByReason);
    rejectedByService = Map.copyOf(rejectedByService);
    agentDroppedByService = Map.copyOf(agentDroppedByService);
  }

  /** A batch without workflow hints. */
  public IngestBatch(List<CallRecord> calls, List<WorkflowSpanRecord> workflowSpans,
      int spansReceived, Map<String, Integer> spansReceivedByService,
      Map<String, Integer> rejectedByReason, Map<String, Integer> rejectedByService,
      Map<String, Long> agentDroppedByService, List<CapBreachRecord> capBreaches) {
    this(calls, workflowSpans, spansReceived, spansReceivedByService, rejectedByReason,
        rejectedByService, agentDroppedByService, capBreaches, List.of());
  }

  /** A batch without cap breaches. */
  public IngestBatch(List<CallRecord> calls, List<WorkflowSpanRecord> workflowSpans,
      int spansReceived, Map<String, Integer> spansReceivedByService,
      Map<String, Integer> rejectedByReason, Map<String, Integer> rejectedByService,
      Map<String, Long> agentDroppedByService) {
    this(calls, workflowSpans, spansReceived, spansReceivedByService, rejectedByReason,
        rejectedByService, agentDroppedByService, List.of());
  }

  /** A batch with no agent drop reports. */
  public IngestBatch(List<CallRecord> calls, List<WorkflowSpanRecord> workflowSpans,
      int spansReceived, Map<String, Integer> spansReceivedByService,
      Map<String, Integer> rejectedByReason, Map<String, Integer> rejectedByService) {
    this(calls, workflowSpans, spansReceived, spansReceivedByService, rejectedByReason,
        rejectedByService, Map.of());
  }

  /** Number of spans rejected in this request. */
  public int rejected() {
    return rejectedByReason.values().stream().mapToInt(Integer::intValue).sum();
  }
}
