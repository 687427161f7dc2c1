package io.flowcost.collector.ingest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the cumulative usage on Spring AI's chat spans inside a tool loop back into the usage of
 * each provider request.
 *
 * <p>Why: when a Spring AI chat model runs its tools itself (the default, {@code
 * internalToolExecutionEnabled}), it calls itself again with the previous response, and the
 * response of each round carries {@code UsageCalculator.getCumulativeUsage(current, previous)}:
 * the sum of this round's usage and every earlier round's. Its chat observation (the span) reports
 * that sum. Summing the spans therefore counts round 1 n times, round 2 n−1 times, … Differencing
 * is exact: round k's own usage is its span's figure minus round k−1's span's figure, because
 * Spring AI added exactly that earlier figure (an empty current usage makes both equal: 0 for that
 * round, which is what the provider reported).
 *
 * <p>Which spans form a loop: Spring AI chat spans (operation {@code chat}, carrying {@code
 * spring.ai.model.request.tool.names}, which Spring AI writes on every request that offers tools)
 * of the same trace and the same parent span — the rounds of one internal loop all run inside the
 * same {@code ChatModel.call}, so they are siblings — where the earlier one ended, before the later
 * one started, with a tool-call finish reason ({@code tool_calls}, {@code tool_use}, …: only then
 * does Spring AI go round again). An advisor-driven loop ({@code ToolCallAdvisor}, internal
 * execution off) reports each round's own usage, and each of its rounds has a parent of its own
 * (the advisor chain is observed per round), so it is never differenced. A figure smaller than
 * its predecessor's cannot be cumulative and is kept as reported.
 *
 * <p>What this needs: the rounds of one loop reach the collector in the order they ran. Within
 * one export request the interpreter takes spans by start time (a real Spring AI 1.1 app's batch
 * was not in end order: Micrometer's bridge queued the tool span before the chat span that asked
 * for it); across requests, the earlier round must be exported first — a batch span processor's
 * usual order — and a round that arrives before its predecessor keeps its cumulative figure.
 * The last round of each loop is remembered, at most {@link #capacity} loops (least recently used
 * first out); a round whose predecessor was forgotten (a collector restart between two rounds) is
 * kept as reported — an over-count docs/spans.md names.
 */
final class ToolLoopUsage {

  /** Finish reasons after which Spring AI executes tools and calls the model again. */
  private static final java.util.Set<String> TOOL_FINISH =
      java.util.Set.of("tool_calls", "tool_use", "function_call", "tool_call");

  private final int capacity;
  private final Map<String, Round> lastRound;

  /** The cumulative figures a round reported, and how it ended. */
  private record Round(Instant end, long input, long output, long cacheRead, long cacheWrite,
      long reasoning, boolean toolCallFinish) {}

  ToolLoopUsage(int capacity) {
    this.capacity = capacity;
    this.lastRound = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Round> eldest) {
        return size() > ToolLoopUsage.this.capacity;
      }
    };
  }

  /**
   * The usage of this round's own request, given the cumulative figure its span reported.
   *
   * @param finishReason the span's first finish reason, or null
   * @return {@code reported} minus the previous round's reported figure when this span continues a
   *     tool loop, else {@code reported} itself
   */
  synchronized Usage perRequest(String traceId, String parentSpanId, Instant start, Instant end,
      String finishReason, Usage reported) {
    if (parentSpanId == null || reported == null) {
      return reported;
    }
    String key = traceId + '/' + parentSpanId;
    Round previous = lastRound.get(key);
    boolean toolFinish = finishReason != null
        && TOOL_FINISH.contains(finishReason.toLowerCase(Locale.ROOT));
    lastRound.put(key, new Round(end == null ? start : end, reported.input(), reported.output(),
        reported.cacheRead(), reported.cacheWrite(), reported.reasoning(), toolFinish));
    if (previous == null || !previous.toolCallFinish() || start.isBefore(previous.end())
        || reported.input() < previous.input() || reported.output() < previous.output()) {
      return reported;
    }
    long input = reported.input() - previous.input();
    long output = reported.output() - previous.output();
    // Spring AI 1.x accumulates prompt and completion tokens only (its cumulative usage drops the
    // cache details), so a later round reports cache figures of its own or none: take a cache or
    // reasoning figure as this round's when it cannot be a running sum, never above the round's
    // own input or output.
    long cacheRead = ownPart(reported.cacheRead(), previous.cacheRead());
    long cacheWrite = ownPart(reported.cacheWrite(), previous.cacheWrite());
    if (cacheRead + cacheWrite > input) {
      cacheRead = Math.min(cacheRead, input);
      cacheWrite = Math.min(cacheWrite, input - cacheRead);
    }
    long reasoning = Math.min(ownPart(reported.reasoning(), previous.reasoning()), output);
    return new Usage(input, cacheRead, cacheWrite, Math.min(reported.cacheWrite1h(), cacheWrite),
        output, reasoning, reported.estimated(), reported.serviceTier());
  }

  private static long ownPart(long reported, long previous) {
    return previous > 0 && reported >= previous ? reported - previous : reported;
  }
}
