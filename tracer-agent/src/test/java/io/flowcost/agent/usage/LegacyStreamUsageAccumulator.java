package io.flowcost.agent.usage;

// A frozen copy of the Jackson-based reader the agent used before UsageScanner: the oracle of
// UsageScannerDifferentialTest. Not used by the agent.

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the events of one streamed response (SSE {@code data:} payloads or NDJSON lines) and
 * keeps the latest reported value of every usage field.
 *
 * <p>Every provider reports streamed usage as running totals, never as increments: OpenAI in one
 * final chunk, Anthropic in {@code message_start} and then cumulative {@code message_delta}s,
 * Gemini on many chunks. So a later value overwrites an earlier one and nothing is added. Not
 * thread-safe; callers synchronise (one stream delivers its events in order).
 */
final class LegacyStreamUsageAccumulator {

  /** Most answer text kept for an estimate (characters); beyond, the estimate undercounts. */
  static final int MAX_TEXT_CHARS = 4 * 1024 * 1024;

  /** Most tool calls of one answer remembered (ids and names only). */
  static final int MAX_TOOL_CALLS = 1024;

  private final Map<String, Object> fields = new HashMap<>();
  private final StringBuilder text = new StringBuilder();
  private final List<ToolCallRef> toolCalls = new ArrayList<>();
  private boolean sawEvent;

  /** Takes one event payload; ignores {@code [DONE]} and anything that is not JSON. */
  public void onEvent(String data) {
    if (data == null || data.isEmpty() || data.charAt(0) != '{') {
      return;
    }
    Map<String, Object> event = new HashMap<>(LegacyUsageParser.fields(data));
    ToolCallRef opened = LegacyUsageParser.takeStreamToolCall(event);
    List<ToolCallRef> calls = LegacyUsageParser.takeToolCalls(event, true); // removed from the event
    if (toolCalls.size() < MAX_TOOL_CALLS) {
      toolCalls.addAll(calls);
      if (opened != null) {
        toolCalls.add(opened);
      }
    }
    LegacyUsageParser.takeText(event, text, MAX_TEXT_CHARS);
    for (Map.Entry<String, Object> e : event.entrySet()) {
      Object value = e.getValue();
      if (value instanceof List && ((List<?>) value).isEmpty()) {
        continue;
      }
      fields.put(e.getKey(), value);
    }
    sawEvent |= !event.isEmpty() || text.length() > 0;
  }

  /**
   * The summary so far without its answer text and tool calls — cheap enough to call on every event — or {@code
   * null} when no recognised event arrived.
   */
  public ResponseSummary progress() {
    return sawEvent ? LegacyUsageParser.summarize(fields) : null;
  }

  /**
   * The summary so far, or {@code null} when no recognised event arrived. Without usage it carries
   * the answer text received so far ({@link ResponseSummary#outputText()}).
   */
  public ResponseSummary result() {
    if (!sawEvent) {
      return null;
    }
    ResponseSummary summary = LegacyUsageParser.summarize(fields).withToolCalls(toolCalls);
    return summary.usage() == null ? summary.withOutputText(text.toString()) : summary;
  }
}
