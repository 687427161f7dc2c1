package io.flowcost.collector.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts each provider response once when two producers report it: the agent's attempt span and
 * the application's own GenAI span of the same request (Spring AI's observations, the
 * OpenTelemetry Java agent), which sit in different traces. They are matched by the provider's
 * response id ({@code gen_ai.response.id}: {@code chatcmpl-…}, {@code msg_…}).
 *
 * <p>The first row seen for an id is kept and any later row of another span with the same id is
 * dropped, so the request is counted once whatever the order. When the agent's row comes first —
 * the richer one: attempts, cache tokens read off the wire, the workflow the agent opened — it is
 * the one kept; when the application's span comes first, it is kept and the agent's row of that
 * response is dropped. Rows of the same span (a re-sent span) and two agent rows never drop each
 * other. The ids of the last {@link #capacity} responses are remembered (least recently seen out):
 * two reports of one response arrive seconds apart, and a restart forgets them all.
 */
final class ResponseIds {

  private final int capacity;
  private final Map<String, Seen> seen;

  /** The span that first reported a response, and whether Flowcost's agent wrote it. */
  private record Seen(String spanId, boolean flowcost) {}

  ResponseIds(int capacity) {
    this.capacity = capacity;
    this.seen = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
        return size() > ResponseIds.this.capacity;
      }
    };
  }

  /**
   * Records that {@code spanId} reports response {@code responseId}.
   *
   * @param flowcost the span is a Flowcost producer's call or attempt span
   * @return {@code true} to keep the row, {@code false} when another producer already reported
   *     this response
   */
  synchronized boolean firstReport(String responseId, String spanId, boolean flowcost) {
    if (responseId == null || responseId.isBlank()) {
      return true;
    }
    Seen first = seen.get(responseId);
    if (first == null) {
      seen.put(responseId, new Seen(spanId, flowcost));
      return true;
    }
    return first.spanId().equals(spanId) || (first.flowcost() && flowcost);
  }
}
