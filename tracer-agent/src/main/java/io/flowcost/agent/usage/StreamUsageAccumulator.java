package io.flowcost.agent.usage;

import static io.flowcost.agent.usage.UsageField.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows the events of one streamed response (SSE {@code data:} payloads or NDJSON lines) and
 * keeps the latest reported value of every usage field.
 *
 * <p>Every provider reports streamed usage as running totals, never as increments: OpenAI in one
 * final chunk, Anthropic in {@code message_start} and then cumulative {@code message_delta}s,
 * Gemini on many chunks. So a later value overwrites an earlier one and nothing is added. Each
 * event is read in place by {@link UsageScanner} (no parser object, no map per event); its answer
 * text is decoded straight into the text kept. Not thread-safe; callers synchronise (one stream
 * delivers its events in order).
 */
public final class StreamUsageAccumulator {

  /** Most answer text kept for an estimate (characters); beyond, the estimate undercounts. */
  static final int MAX_TEXT_CHARS = 4 * 1024 * 1024;

  /** Most tool calls of one answer remembered (ids and names only). */
  static final int MAX_TOOL_CALLS = 1024;

  /** The latest value of every field, by {@link UsageField#ordinal()}. */
  private final Object[] fields = new Object[UsageField.ALL.length];
  private final StringBuilder text = new StringBuilder();
  private final List<ToolCallRef> toolCalls = new ArrayList<>();
  private boolean sawEvent;
  /** What {@link #progress()} last returned, until a field changes. */
  private ResponseSummary progress;

  /** Takes one event payload; ignores {@code [DONE]} and anything that is not JSON. */
  public void onEvent(String data) {
    if (data == null || data.isEmpty() || data.charAt(0) != '{') {
      return;
    }
    UsageScanner scanner = UsageScanner.get();
    if (scanner.scan(data)) {
      take(scanner);
    }
  }

  private void take(UsageScanner scanner) {
    Object[] event = scanner.values;
    ToolCallRef opened = UsageParser.streamToolCall(event, scanner);
    List<ToolCallRef> calls = UsageParser.deltaToolCalls(event, scanner);
    if (toolCalls.size() < MAX_TOOL_CALLS) {
      toolCalls.addAll(calls);
      if (opened != null) {
        toolCalls.add(opened);
      }
    }
    scanner.appendText(text, MAX_TEXT_CHARS);
    // the fields that open tool calls are the event's own; the rest is merged
    boolean bedrockCall = event[BEDROCK_STREAM_TOOL_USE_ID.ordinal()] != null;
    boolean merged = false;
    for (UsageField f : UsageField.ALL) {
      Object value = event[f.ordinal()];
      if (value == null || f.text() || f == ITEM_TYPE || f == ITEM_CALL_ID || f == ITEM_NAME
          || f == BLOCK_TYPE || f == BLOCK_ID || f == BEDROCK_STREAM_TOOL_USE_ID
          || f == BEDROCK_STREAM_TOOL_USE_NAME || (f == DELTA_TOOL_CALL_ID && !bedrockCall)) {
        continue;
      }
      if (!value.equals(fields[f.ordinal()])) {
        fields[f.ordinal()] = value;
        progress = null;
      }
      merged = true;
    }
    sawEvent |= merged || text.length() > 0;
  }

  /**
   * The summary so far without its answer text and tool calls — cheap enough to call on every
   * event: the same object until a field changes — or {@code null} when no recognised event
   * arrived.
   */
  public ResponseSummary progress() {
    if (!sawEvent) {
      return null;
    }
    if (progress == null) {
      progress = UsageParser.summarize(fields, null, null);
    }
    return progress;
  }

  /**
   * The summary so far, or {@code null} when no recognised event arrived. Without usage it carries
   * the answer text received so far ({@link ResponseSummary#outputText()}).
   */
  public ResponseSummary result() {
    if (!sawEvent) {
      return null;
    }
    ResponseSummary summary = UsageParser.summarize(fields, toolCalls, null);
    return summary.usage() == null ? summary.withOutputText(text.toString()) : summary;
  }
}
