package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The behaviour markers found in the last user message of a request.
 *
 * <p>Recognised markers (any order, any number of tool markers):
 *
 * <ul>
 *   <li>{@code [tool:NAME {json-args}]} — call tool NAME with these arguments (args optional,
 *       default {@code {}}); several tool markers are called one per turn, in order.
 *   <li>{@code [tool-loop:NAME]} — call tool NAME (no arguments) on every turn, forever: a
 *       runaway agent loop that only the app (or a Flowcost cap) can stop.
 *   <li>{@code [fail:STATUS]} or {@code [fail:STATUSxN]} — the first N (default 1) attempts of
 *       an identical request body fail with STATUS.
 *   <li>{@code [fail-always:STATUS]} — every attempt fails with STATUS.
 *   <li>{@code [slow:MS]} — wait MS milliseconds before answering (past a client's read
 *       time-out: the fake still answers, and logs, a billed exchange nobody receives).
 *   <li>{@code [off-policy]} — the text answer says {@value Reply#OFF_POLICY}, which an output
 *       guardrail of the app is meant to reject. Only the first answer to an identical request
 *       body is off-policy: the same request again (an app's own retry) or a reprompt (whose
 *       own text has no marker) gets a normal answer.
 *   <li>{@code [bad-json]} — the text answer is unparseable JSON; like {@code [off-policy]},
 *       only the first answer to an identical request body.
 *   <li>{@code [json-answer {json}]} — the text answer is exactly this JSON. Unlike the other
 *       markers it is looked up in every user message (the latest wins), so that a reprompt for
 *       valid JSON gets it.
 *   <li>{@code [cache-write]} / {@code [cache-write-1h]} — Anthropic: the cacheable prefix is
 *       written with a 5-minute / 1-hour TTL on the first turn.
 *   <li>{@code [cache-hit]} — Anthropic: the cacheable prefix is read even on the first turn.
 *   <li>{@code [stream-cut]} — a streamed reply is interrupted after about half of its content
 *       by the provider's mid-stream error event (OpenAI: a {@code data:} chunk with a top-level
 *       {@code error}, then no finish chunk, usage chunk or {@code [DONE]}; Anthropic: {@code
 *       event: error} with {@code overloaded_error}, then no {@code message_delta} or {@code
 *       message_stop}).
 *   <li>{@code [exact-usage]} — OpenAI: bill the tokens OpenAI's own encoding counts ({@link
 *       ExactTokens}) instead of {@link UsageRules}' synthetic figures, so that a client-side
 *       estimate can be measured against them.
 * </ul>
 *
 * @param tools the tool calls to make, in order
 * @param failStatus status of transient failures, 0 for none
 * @param failAttempts how many attempts fail with {@code failStatus}
 * @param failAlwaysStatus status of permanent failure, 0 for none
 * @param slowMillis delay before answering
 * @param cacheWrite5m whether {@code [cache-write]} was given
 * @param cacheWrite1h whether {@code [cache-write-1h]} was given
 * @param cacheHit whether {@code [cache-hit]} was given
 * @param streamCut whether {@code [stream-cut]} was given
 * @param offPolicy whether {@code [off-policy]} was given
 * @param badJson whether {@code [bad-json]} was given
 * @param exactUsage whether {@code [exact-usage]} was given
 * @param loopTool the tool {@code [tool-loop:NAME]} calls on every turn, or {@code null}
 */
record Markers(
    List<ToolMarker> tools,
    int failStatus,
    int failAttempts,
    int failAlwaysStatus,
    long slowMillis,
    boolean cacheWrite5m,
    boolean cacheWrite1h,
    boolean cacheHit,
    boolean streamCut,
    boolean offPolicy,
    boolean badJson,
    boolean exactUsage,
    String loopTool) {

  static final Markers NONE =
      new Markers(List.of(), 0, 0, 0, 0, false, false, false, false, false, false, false, null);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FAIL = Pattern.compile("\\[fail:(\\d{3})(?:x(\\d+))?]");
  private static final Pattern FAIL_ALWAYS = Pattern.compile("\\[fail-always:(\\d{3})]");
  private static final Pattern SLOW = Pattern.compile("\\[slow:(\\d+)]");
  private static final Pattern TOOL_LOOP = Pattern.compile("\\[tool-loop:([A-Za-z0-9_]{1,64})]");

  /** One {@code [tool:...]} marker. */
  record ToolMarker(String name, JsonNode arguments) {}

  static Markers parse(String text) {
    if (text == null || text.indexOf('[') < 0) {
      return NONE;
    }
    int failStatus = 0;
    int failAttempts = 0;
    Matcher m = FAIL.matcher(text);
    if (m.find()) {
      failStatus = Integer.parseInt(m.group(1));
      failAttempts = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
    }
    int failAlways = 0;
    m = FAIL_ALWAYS.matcher(text);
    if (m.find()) {
      failAlways = Integer.parseInt(m.group(1));
    }
    long slow = 0;
    m = SLOW.matcher(text);
    if (m.find()) {
      slow = Long.parseLong(m.group(1));
    }
    return new Markers(
        parseTools(text),
        failStatus,
        failAttempts,
        failAlways,
        slow,
        text.contains("[cache-write]"),
        text.contains("[cache-write-1h]"),
        text.contains("[cache-hit]"),
        text.contains("[stream-cut]"),
        text.contains("[off-policy]"),
        text.contains("[bad-json]"),
        text.contains("[exact-usage]"),
        loopTool(text));
  }

  /** These markers for the given attempt at an identical body: first-answer faults once only. */
  Markers forAttempt(int attempt) {
    if (attempt <= 1 || !(offPolicy || badJson)) {
      return this;
    }
    return new Markers(tools, failStatus, failAttempts, failAlwaysStatus, slowMillis,
        cacheWrite5m, cacheWrite1h, cacheHit, streamCut, false, false, exactUsage, loopTool);
  }

  private static String loopTool(String text) {
    Matcher m = TOOL_LOOP.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  /** The JSON of the first {@code [json-answer {…}]} in {@code text}, or {@code null}. */
  static String jsonAnswer(String text) {
    int start = text == null ? -1 : text.indexOf("[json-answer");
    if (start < 0) {
      return null;
    }
    int open = text.indexOf('{', start);
    int end = open < 0 ? -1 : matchBrace(text, open);
    if (end < 0) {
      return null;
    }
    try {
      return JSON.readTree(text.substring(open, end + 1)).toString();
    } catch (Exception e) {
      return null; // malformed script: no JSON answer
    }
  }

  private static List<ToolMarker> parseTools(String text) {
    List<ToolMarker> tools = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = text.indexOf("[tool:", from);
      if (start < 0) {
        return List.copyOf(tools);
      }
      int i = start + "[tool:".length();
      int nameEnd = i;
      while (nameEnd < text.length()
          && text.charAt(nameEnd) != ']'
          && !Character.isWhitespace(text.charAt(nameEnd))) {
        nameEnd++;
      }
      String name = text.substring(i, nameEnd);
      int j = nameEnd;
      while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
        j++;
      }
      JsonNode args = JSON.createObjectNode();
      if (j < text.length() && text.charAt(j) == '{') {
        int end = matchBrace(text, j);
        if (end > 0) {
          try {
            args = JSON.readTree(text.substring(j, end + 1));
          } catch (Exception e) {
            // Malformed arguments in a test script: call the tool with no arguments.
          }
          j = end + 1;
        }
      }
      if (!name.isEmpty()) {
        tools.add(new ToolMarker(name, args));
      }
      from = Math.max(j, start + 1);
    }
  }

  /** Returns the index of the brace closing the one at {@code open}, or -1; skips strings. */
  private static int matchBrace(String s, int open) {
    int depth = 0;
    boolean inString = false;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
