package io.flowcost.agent.usage;

import static io.flowcost.agent.usage.UsageField.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads usage from a provider's response body as it crossed the wire, and normalises it to the
 * OpenTelemetry GenAI conventions (all input including cache, all output including reasoning):
 * the agent's one usage normaliser, for whole responses and ({@link StreamUsageAccumulator})
 * streams alike.
 *
 * <p>Recognised shapes: OpenAI Chat Completions, Responses and Embeddings (and the compatible
 * Azure/Ollama/Mistral endpoints), Anthropic Messages, Gemini {@code usageMetadata}, Bedrock
 * Converse and Ollama's native API ({@link UsageField} lists every field read). The body is read
 * in place by {@link UsageScanner}, without a parser object or a map per response. Bodies are
 * never stored; only counts, the model name, finish reasons, the service tier, the response id
 * and tool-call identifiers are kept. Thread-safe.
 */
public final class UsageParser {

  private UsageParser() {}

  /** Summarises a complete (non-streaming) response body; {@code null} when it is not JSON. */
  public static ResponseSummary parse(String body) {
    if (body == null) {
      return null;
    }
    UsageScanner scanner = UsageScanner.get();
    return scanner.scan(body) ? whole(scanner, body, true) : null;
  }

  /** Same as {@link #parse(String)} for UTF-8 bytes (UTF-16 and UTF-32 are recognised too). */
  public static ResponseSummary parse(byte[] body) {
    return body == null ? null : parse(body, 0, body.length);
  }

  /** Same as {@link #parse(byte[])} for {@code length} bytes from {@code offset}. */
  public static ResponseSummary parse(byte[] body, int offset, int length) {
    if (body == null) {
      return null;
    }
    UsageScanner scanner = UsageScanner.get();
    return scanner.scan(body, offset, length) ? whole(scanner, null, true) : null;
  }

  /**
   * As {@link #parse(byte[])}, without the tool calls ({@link ResponseSummary#toolCalls()}
   * empty; everything else the same), for a reader that never uses them: the tool calls are
   * read for the agent's inference of tool executions from the wire ({@code ToolLoop}), which a
   * framework whose tools the agent traces itself (LangChain4j's {@code ToolService}) does not
   * need — and their ids are new strings and lists in every answer that asks for a tool.
   */
  public static ResponseSummary parseWithoutToolCalls(byte[] body) {
    if (body == null) {
      return null;
    }
    UsageScanner scanner = UsageScanner.get();
    scanner.toolCallIds = false;
    try {
      return scanner.scan(body, 0, body.length) ? whole(scanner, null, false) : null;
    } finally {
      scanner.toolCallIds = true;
    }
  }

  /**
   * The summary of the document just scanned; {@code text} is the document when it was a {@code
   * String}, {@code null} when bytes; without tool calls unless {@code toolCalls}.
   */
  private static ResponseSummary whole(UsageScanner scanner, String text, boolean toolCalls) {
    if (!scanner.found) {
      return null;
    }
    Object[] f = scanner.values;
    if (!toolCalls) {
      ResponseSummary summary = summarize(f, List.of(), null);
      return summary.usage() == null && scanner.anyText()
          ? summary.withOutputText(answerText(scanner)) : summary;
    }
    List<ToolCallRef> calls = wholeToolCalls(f, scanner);
    int items = 0;
    if (calls.isEmpty()) {
      // an answer whose tool calls are not OpenAI Chat's or Bedrock's: an Anthropic message that
      // stopped for tool_use, an OpenAI Responses answer with a function_call output item
      if ("tool_use".equals(str(f, STOP_REASON))) {
        items = UsageScanner.ITEMS_ANTHROPIC;
      } else if (list(f, OUTPUT_TYPES).contains("function_call")) {
        items = UsageScanner.ITEMS_RESPONSES;
      }
      if (items != 0 && text == null) {
        calls = scanner.itemCalls(items);
      }
    }
    ResponseSummary summary = summarize(f, calls, null);
    if (summary.usage() == null && scanner.anyText()) {
      summary = summary.withOutputText(answerText(scanner));
    }
    if (items != 0 && text != null) {
      // these ids were always read from the text's UTF-8 bytes (where a lone surrogate is '?')
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      summary = summary.withToolCalls(scanner.scan(bytes, 0, bytes.length)
          ? scanner.itemCalls(items) : List.of());
    }
    return summary;
  }

  /**
   * The tool calls of a whole answer: Bedrock Converse's {@code toolUse} blocks, else OpenAI Chat
   * Completions' {@code choices[].message.tool_calls} (id and function name), in order. Empty when
   * there are none or when ids and names do not pair up (a tool call of another type among them).
   */
  private static List<ToolCallRef> wholeToolCalls(Object[] f, UsageScanner scanner) {
    Object bedrockId = f[BEDROCK_TOOL_USE_ID.ordinal()];
    if (bedrockId != null) {
      return pair(bedrockId, f[BEDROCK_TOOL_USE_NAME.ordinal()]);
    }
    Object ids = f[WHOLE_TOOL_CALL_ID.ordinal()];
    if (!(ids instanceof List)) {
      return List.of();
    }
    return pair(ids, scanner.textValues(TEXT_MESSAGE_TOOL_NAME));
  }

  /** The answer text scanned: kept, only when no usage came, until the attempt ends. */
  private static String answerText(UsageScanner scanner) {
    StringBuilder answer = new StringBuilder();
    scanner.appendText(answer, Integer.MAX_VALUE);
    return answer.toString();
  }

  /**
   * The tool calls of one stream event, in order: a Bedrock ConverseStream {@code
   * contentBlockStart}'s {@code toolUse}, else the OpenAI Chat Completions deltas that open calls
   * (the first delta of each call carries its id and name).
   */
  static List<ToolCallRef> deltaToolCalls(Object[] event, UsageScanner scanner) {
    Object bedrockId = event[BEDROCK_STREAM_TOOL_USE_ID.ordinal()];
    if (bedrockId != null) {
      Object name = event[BEDROCK_STREAM_TOOL_USE_NAME.ordinal()];
      return pair(List.of(bedrockId), name == null ? null : List.of(name));
    }
    Object ids = event[DELTA_TOOL_CALL_ID.ordinal()];
    if (!(ids instanceof List)) {
      return List.of();
    }
    return pair(ids, scanner.textValues(TEXT_DELTA_TOOL_NAME));
  }

  /**
   * The tool call one stream event opens when it is not OpenAI Chat's or Bedrock's: a Responses
   * {@code response.output_item.done} of a {@code function_call} ({@code item.call_id}, {@code
   * item.name}), an Anthropic {@code content_block_start} of a {@code tool_use} ({@code
   * content_block.id} and {@code .name}). {@code null} when the event opens none.
   */
  static ToolCallRef streamToolCall(Object[] event, UsageScanner scanner) {
    Object callId = event[ITEM_CALL_ID.ordinal()];
    Object itemName = event[ITEM_NAME.ordinal()];
    if ("function_call".equals(event[ITEM_TYPE.ordinal()])
        && "response.output_item.done".equals(event[TYPE.ordinal()])
        && callId instanceof String && itemName instanceof String) {
      return new ToolCallRef((String) callId, (String) itemName);
    }
    Object blockId = event[BLOCK_ID.ordinal()];
    if ("tool_use".equals(event[BLOCK_TYPE.ordinal()]) && blockId instanceof String) {
      String blockName = scanner.textValue(TEXT_BLOCK_NAME);
      if (blockName != null) {
        return new ToolCallRef((String) blockId, blockName);
      }
    }
    return null;
  }

  /** Tool calls from parallel lists of ids and names; empty when they do not pair up. */
  private static List<ToolCallRef> pair(Object ids, Object names) {
    if (!(ids instanceof List) || !(names instanceof List)
        || ((List<?>) names).size() != ((List<?>) ids).size() || ((List<?>) ids).isEmpty()) {
      return List.of();
    }
    List<?> idList = (List<?>) ids;
    List<?> nameList = (List<?>) names;
    List<ToolCallRef> calls = new ArrayList<>(idList.size());
    for (int i = 0; i < idList.size(); i++) {
      if (idList.get(i) instanceof String && nameList.get(i) instanceof String) {
        calls.add(new ToolCallRef((String) idList.get(i), (String) nameList.get(i)));
      }
    }
    return calls;
  }

  /**
   * Normalises the fields of one document, or merged from several stream events (indexed by
   * {@link UsageField#ordinal()}), into a summary with these tool calls and answer text.
   */
  static ResponseSummary summarize(Object[] f, List<ToolCallRef> calls, String text) {
    String id = str(f, ID);
    if (id == null) {
      id = str(f, RESPONSE_ID);
    }
    String cost = ProviderCost.usd(str(f, COST));
    if (present(f, GEMINI_PROMPT) || present(f, GEMINI_CACHED) || present(f, GEMINI_CANDIDATES)
        || present(f, GEMINI_THOUGHTS) || present(f, GEMINI_TOOL_USE_PROMPT)
        || present(f, GEMINI_TRAFFIC_TYPE)) {
      // thoughts sit outside candidatesTokenCount, tool-use prompt tokens outside promptTokenCount
      Long prompt = num(f, GEMINI_PROMPT);
      Long toolUse = num(f, GEMINI_TOOL_USE_PROMPT);
      Long candidates = num(f, GEMINI_CANDIDATES);
      Long thoughts = num(f, GEMINI_THOUGHTS);
      Usage usage =
          Usage.builder()
              .inputTokens(prompt == null && toolUse == null ? null : sum(prompt, toolUse))
              .cacheReadTokens(num(f, GEMINI_CACHED))
              .outputTokens(candidates == null && thoughts == null ? null : sum(candidates, thoughts))
              .reasoningTokens(thoughts)
              .serviceTier(str(f, GEMINI_TRAFFIC_TYPE))
              .build();
      return new ResponseSummary(str(f, MODEL_VERSION), strings(f, CANDIDATES_FINISH_REASON),
          usage, text, cost, id, calls);
    }
    if (present(f, BEDROCK_INPUT) || present(f, BEDROCK_OUTPUT)) {
      Long read = num(f, BEDROCK_CACHE_READ);
      Long write = num(f, BEDROCK_CACHE_WRITE);
      Long oneHour = null;
      List<Object> ttls = list(f, BEDROCK_CACHE_TTL);
      List<Object> counts = list(f, BEDROCK_CACHE_TOKENS);
      for (int i = 0; i < ttls.size() && i < counts.size(); i++) {
        if ("1h".equals(ttls.get(i)) && counts.get(i) instanceof Long) {
          oneHour = sum(oneHour, (Long) counts.get(i));
        }
      }
      Usage usage =
          Usage.builder()
              .inputTokens(sum(num(f, BEDROCK_INPUT), read, write))
              .cacheReadTokens(read)
              .cacheWriteTokens(write)
              .cacheWrite1hTokens(oneHour)
              .outputTokens(num(f, BEDROCK_OUTPUT))
              .serviceTier(str(f, BEDROCK_SERVICE_TIER))
              .build();
      return new ResponseSummary(null, single(str(f, BEDROCK_STOP_REASON)), usage, text, cost, id,
          calls);
    }
    if (present(f, OLLAMA_PROMPT) || present(f, OLLAMA_EVAL)) {
      // prompt_eval_count is omitted when the whole prompt came from Ollama's KV cache
      Long prompt = num(f, OLLAMA_PROMPT);
      Usage usage =
          Usage.builder()
              .inputTokens(prompt != null ? prompt : Long.valueOf(0))
              .outputTokens(num(f, OLLAMA_EVAL))
              .build();
      return new ResponseSummary(str(f, MODEL), single(str(f, OLLAMA_DONE_REASON)), usage, text,
          cost, id, calls);
    }
    if (isAnthropic(f)) {
      // Anthropic's input_tokens excludes cache reads and writes: the total is the sum of the three
      Long read = num(f, CACHE_READ_INPUT_TOKENS);
      Long write = num(f, CACHE_CREATION_INPUT_TOKENS);
      Long input = num(f, INPUT_TOKENS);
      Usage usage =
          Usage.builder()
              .inputTokens(
                  input == null && read == null && write == null ? null : sum(input, read, write))
              .cacheReadTokens(read)
              .cacheWriteTokens(write)
              .cacheWrite1hTokens(num(f, CACHE_CREATION_1H))
              .outputTokens(num(f, OUTPUT_TOKENS))
              .reasoningTokens(num(f, OUTPUT_THINKING_TOKENS))
              .serviceTier(str(f, USAGE_SERVICE_TIER))
              .build();
      return new ResponseSummary(str(f, MODEL),
          single(str(f, STOP_REASON), str(f, DELTA_STOP_REASON)), usage, text, cost, id, calls);
    }
    if (present(f, INPUT_TOKENS) || present(f, OUTPUT_TOKENS)) {
      // OpenAI Responses
      Usage usage =
          Usage.builder()
              .inputTokens(num(f, INPUT_TOKENS))
              .cacheReadTokens(num(f, INPUT_CACHED_TOKENS))
              .cacheWriteTokens(num(f, INPUT_CACHE_WRITE_TOKENS))
              .outputTokens(num(f, OUTPUT_TOKENS))
              .reasoningTokens(num(f, OUTPUT_REASONING_TOKENS))
              .serviceTier(str(f, SERVICE_TIER))
              .build();
      return new ResponseSummary(str(f, MODEL), List.of(), usage, text, cost, id, calls);
    }
    if (present(f, PROMPT_TOKENS) || present(f, COMPLETION_TOKENS)) {
      // OpenAI Chat Completions and Embeddings
      Long completion = num(f, COMPLETION_TOKENS);
      Usage usage =
          Usage.builder()
              .inputTokens(num(f, PROMPT_TOKENS))
              .cacheReadTokens(num(f, PROMPT_CACHED_TOKENS))
              .cacheWriteTokens(num(f, PROMPT_CACHE_WRITE_TOKENS))
              // embeddings report no completion tokens: they produce no billed output
              .outputTokens(completion != null ? completion : Long.valueOf(0))
              .reasoningTokens(num(f, COMPLETION_REASONING_TOKENS))
              .serviceTier(str(f, SERVICE_TIER))
              .build();
      return new ResponseSummary(str(f, MODEL), strings(f, CHOICES_FINISH_REASON), usage, text,
          cost, id, calls);
    }
    List<String> finish = strings(f, CHOICES_FINISH_REASON);
    if (finish.isEmpty()) {
      finish = single(str(f, STOP_REASON), str(f, DELTA_STOP_REASON));
    }
    return new ResponseSummary(str(f, MODEL), finish, null, text, cost, id, calls);
  }

  private static boolean isAnthropic(Object[] f) {
    String type = str(f, TYPE);
    return present(f, CACHE_CREATION_INPUT_TOKENS)
        || present(f, CACHE_READ_INPUT_TOKENS)
        || present(f, CACHE_CREATION_1H)
        || present(f, OUTPUT_THINKING_TOKENS)
        || present(f, USAGE_SERVICE_TIER)
        || (type != null && type.startsWith("message"));
  }

  private static boolean present(Object[] f, UsageField field) {
    return f[field.ordinal()] != null;
  }

  private static Long num(Object[] f, UsageField field) {
    Object v = f[field.ordinal()];
    return v instanceof Long ? (Long) v : null;
  }

  private static String str(Object[] f, UsageField field) {
    Object v = f[field.ordinal()];
    return v instanceof String ? (String) v : null;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object[] f, UsageField field) {
    Object v = f[field.ordinal()];
    return v instanceof List ? (List<Object>) v : Collections.emptyList();
  }

  /**
   * Per field, the last one-element list {@link #strings} made: a field's text repeats from
   * response to response (a finish reason, {@link UsageScanner} then gives the same {@code
   * String}), and so does its list. Immutable lists, shared between threads as they are.
   */
  private static final List<?>[] LAST_SINGLE = new List<?>[UsageField.ALL.length];

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object[] f, UsageField field) {
    List<Object> values = list(f, field);
    if (values.size() == 1) {
      Object only = values.get(0);
      if (!(only instanceof String)) {
        return List.of();
      }
      List<String> last = (List<String>) LAST_SINGLE[field.ordinal()];
      if (last != null && last.get(0) == only) {
        return last;
      }
      List<String> made = List.of((String) only);
      LAST_SINGLE[field.ordinal()] = made;
      return made;
    }
    List<String> out = new ArrayList<>(values.size());
    for (Object o : values) {
      if (o instanceof String) {
        out.add((String) o);
      }
    }
    return out;
  }

  private static List<String> single(String value) {
    return value == null ? Collections.emptyList() : List.of(value);
  }

  private static List<String> single(String first, String second) {
    return single(first != null ? first : second);
  }

  private static Long sum(Long a, Long b) {
    return (a == null ? 0 : a) + (b == null ? 0 : b);
  }

  private static Long sum(Long a, Long b, Long c) {
    return sum(a, b) + (c == null ? 0 : c);
  }
}
