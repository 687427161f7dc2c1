package io.flowcost.collector.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Order: an exporter does not send spans in the order they ended — a real Spring AI 1.1.2 app
 * (Micrometer's OpenTelemetry bridge, Boot 3.5's OTLP exporter) sent its batch in no time order,
 * so the second round of a loop can reach the collector in an earlier request than the first.
 * Every round of a loop seen so far is therefore remembered (its start, end, cumulative figure and
 * finish), and a round joins the loop of the round that ended last before it started (when that
 * one asked for tools and reported no more) or of the round that started first after it ended
 * (when this one asked for tools and the other reported at least as much). Each round is counted
 * as its cumulative figure minus the most the loop had reported before it arrived: in order, that
 * is exactly the round's own usage; out of order, a later round that came first already counted
 * the earlier rounds' tokens and an earlier round that comes after it counts 0 — each row's
 * figure is then not its own request's, but the loop's total, tokens and cost, is exact.
 *
 * <p>At most {@link #capacity} loops are remembered (least recently used first out), each with at
 * most {@link #ROUNDS_REMEMBERED} rounds; a round whose loop was forgotten (a collector restart
 * between two rounds) is kept as reported — an over-count docs/spans.md names.
 */
final class ToolLoopUsage {

  /** Finish reasons after which Spring AI executes tools and calls the model again. */
  private static final java.util.Set<String> TOOL_FINISH =
      java.util.Set.of("tool_calls", "tool_use", "function_call", "tool_call");
  /** Rounds remembered per loop (Spring AI's loops are a handful of rounds). */
  static final int ROUNDS_REMEMBERED = 64;

  private final int capacity;
  private final Map<String, List<Round>> rounds;

  /** What a loop has counted so far: the most it reported (cumulative), per figure. */
  private static final class Loop {
    long input;
    long output;
    long cacheRead;
    long cacheWrite;
    long reasoning;
  }

  /** The cumulative figures a round reported, how it ended, and the loop it belongs to. */
  private record Round(Instant start, Instant end, long input, long output,
      boolean toolCallFinish, Loop loop) {}

  ToolLoopUsage(int capacity) {
    this.capacity = capacity;
    this.rounds = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, List<Round>> eldest) {
        return size() > ToolLoopUsage.this.capacity;
      }
    };
  }

  /**
   * The usage to count for this round, given the cumulative figure its span reported.
   *
   * @param finishReason the span's first finish reason, or null
   * @return {@code reported} minus what the round's loop had counted before, or {@code reported}
   *     itself when the round is the first of its loop to arrive
   */
  synchronized Usage perRequest(String traceId, String parentSpanId, Instant start, Instant end,
      String finishReason, Usage reported) {
    if (parentSpanId == null || reported == null) {
      return reported;
    }
    Instant stop = end == null ? start : end;
    boolean toolFinish = finishReason != null
        && TOOL_FINISH.contains(finishReason.toLowerCase(Locale.ROOT));
    List<Round> seen = rounds.computeIfAbsent(traceId + '/' + parentSpanId,
        k -> new ArrayList<>());
    Round before = null;
    Round after = null;
    for (Round r : seen) {
      if (!r.end().isAfter(start) && (before == null || r.end().isAfter(before.end()))) {
        before = r;
      }
      if (!r.start().isBefore(stop) && (after == null || r.start().isBefore(after.start()))) {
        after = r;
      }
    }
    Loop loop = null;
    if (before != null && before.toolCallFinish() && reported.input() >= before.input()
        && reported.output() >= before.output()) {
      loop = before.loop();
    } else if (after != null && toolFinish && after.input() >= reported.input()
        && after.output() >= reported.output()) {
      loop = after.loop();
    }
    if (seen.size() >= ROUNDS_REMEMBERED) {
      seen.remove(0);
    }
    if (loop == null) {
      loop = new Loop();
      record(loop, reported);
      seen.add(new Round(start, stop, reported.input(), reported.output(), toolFinish, loop));
      return reported;
    }
    seen.add(new Round(start, stop, reported.input(), reported.output(), toolFinish, loop));
    long input = Math.max(0, reported.input() - loop.input);
    long output = Math.max(0, reported.output() - loop.output);
    // Spring AI 1.x accumulates prompt and completion tokens only (its cumulative usage drops the
    // cache details), so a later round reports cache figures of its own or none: take a cache or
    // reasoning figure as this round's when it cannot be a running sum, never above the round's
    // own input or output.
    long cacheRead = ownPart(reported.cacheRead(), loop.cacheRead);
    long cacheWrite = ownPart(reported.cacheWrite(), loop.cacheWrite);
    if (cacheRead + cacheWrite > input) {
      cacheRead = Math.min(cacheRead, input);
      cacheWrite = Math.min(cacheWrite, input - cacheRead);
    }
    long reasoning = Math.min(ownPart(reported.reasoning(), loop.reasoning), output);
    record(loop, reported);
    return new Usage(input, cacheRead, cacheWrite, Math.min(reported.cacheWrite1h(), cacheWrite),
        output, reasoning, reported.estimated(), reported.serviceTier());
  }

  private static void record(Loop loop, Usage reported) {
    loop.input = Math.max(loop.input, reported.input());
    loop.output = Math.max(loop.output, reported.output());
    loop.cacheRead = Math.max(loop.cacheRead, reported.cacheRead());
    loop.cacheWrite = Math.max(loop.cacheWrite, reported.cacheWrite());
    loop.reasoning = Math.max(loop.reasoning, reported.reasoning());
  }

  private static long ownPart(long reported, long previous) {
    return previous > 0 && reported >= previous ? reported - previous : reported;
  }
}
