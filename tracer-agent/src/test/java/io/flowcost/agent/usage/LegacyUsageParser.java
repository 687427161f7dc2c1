package io.flowcost.agent.usage;

// A frozen copy of the Jackson-based reader the agent used before UsageScanner: the oracle of
// UsageScannerDifferentialTest. Not used by the agent.

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads usage from a provider's response body as it crossed the wire, and normalises it to the
 * OpenTelemetry GenAI conventions (all input including cache, all output including reasoning).
 *
 * <p>Recognised shapes: OpenAI Chat Completions, Responses and Embeddings (and the compatible
 * Azure/Ollama/Mistral endpoints), Anthropic Messages, Gemini {@code usageMetadata}, Bedrock
 * Converse and Ollama's native API. Bodies are never stored; only counts, the model name, finish
 * reasons and the service tier are kept. Thread-safe.
 */
final class LegacyUsageParser {

  private static final List<String> BASE_PATHS =
      List.of(
          "model",
          // the provider's id of the response (OpenAI, Anthropic, Gemini's responseId)
          "id",
          "responseId",
          "service_tier",
          "type",
          "object",
          "stop_reason",
          "delta.stop_reason",
          "choices[].finish_reason",
          // OpenAI chat / embeddings
          "usage.prompt_tokens",
          "usage.completion_tokens",
          "usage.prompt_tokens_details.cached_tokens",
          "usage.prompt_tokens_details.cache_write_tokens",
          "usage.completion_tokens_details.reasoning_tokens",
          // OpenAI responses + Anthropic
          "usage.input_tokens",
          "usage.output_tokens",
          "usage.input_tokens_details.cached_tokens",
          "usage.input_tokens_details.cache_write_tokens",
          "usage.output_tokens_details.reasoning_tokens",
          "usage.cache_creation_input_tokens",
          "usage.cache_read_input_tokens",
          "usage.cache_creation.ephemeral_1h_input_tokens",
          "usage.output_tokens_details.thinking_tokens",
          "usage.service_tier",
          // Gemini
          "modelVersion",
          "candidates[].finishReason",
          "usageMetadata.promptTokenCount",
          "usageMetadata.cachedContentTokenCount",
          "usageMetadata.candidatesTokenCount",
          "usageMetadata.thoughtsTokenCount",
          "usageMetadata.toolUsePromptTokenCount",
          "usageMetadata.trafficType",
          // Bedrock converse
          "stopReason",
          "usage.inputTokens",
          "usage.outputTokens",
          "usage.cacheReadInputTokens",
          "usage.cacheWriteInputTokens",
          "usage.cacheDetails[].ttl",
          "usage.cacheDetails[].inputTokens",
          "serviceTier.type",
          // Ollama native
          "prompt_eval_count",
          "eval_count",
          "done_reason");

  /**
   * Money fields, read as their exact decimal text ({@link ProviderCost}): OpenRouter's {@code
   * usage.cost}, in USD, on a whole response and on the last chunk of a stream.
   */
  private static final List<String> DECIMAL_PATHS = List.of("usage.cost");

  /**
   * Where an answer's text and tool calls are (OpenAI Chat Completions streamed and whole,
   * Anthropic Messages streamed and whole): read only to be counted should no usage come ({@link
   * ResponseSummary#outputText()}), never kept beyond the attempt.
   */
  static final List<String> TEXT_PATHS =
      List.of(
          "choices[].delta.content",
          "choices[].delta.refusal",
          "choices[].delta.tool_calls[].function.name",
          "choices[].delta.tool_calls[].function.arguments",
          "choices[].message.content",
          "choices[].message.refusal",
          "choices[].message.tool_calls[].function.name",
          "choices[].message.tool_calls[].function.arguments",
          "delta.text",
          "delta.partial_json",
          "delta.thinking",
          "content_block.name",
          "content[].text",
          "content[].name",
          "content[].thinking");

  /**
   * The id of each tool call an OpenAI Chat Completions answer asks for (whole, and in the stream
   * delta that opens the call); its function name is among {@link #TEXT_PATHS}.
   */
  static final String WHOLE_TOOL_CALL_ID = "choices[].message.tool_calls[].id";

  static final String DELTA_TOOL_CALL_ID = "choices[].delta.tool_calls[].id";

  /**
   * The type of each item of an OpenAI Responses answer's {@code output}: a whole answer with a
   * {@code function_call} among them is read again for its calls ({@link
   * ToolWire#OPENAI_RESPONSES}); the stream events that carry one finished output item ({@code
   * response.output_item.done}) and the block that opens an Anthropic {@code tool_use} ({@code
   * content_block_start}; its name is among {@link #TEXT_PATHS}).
   */
  static final String OUTPUT_TYPES = "output[].type";

  static final List<String> STREAM_TOOL_PATHS = List.of(
      "item.type", "item.call_id", "item.name", "content_block.type", "content_block.id");

  /**
   * Bedrock Converse: the {@code toolUseId} and {@code name} of each {@code toolUse} block of a
   * whole answer, and of the {@code contentBlockStart} event that opens one in a ConverseStream
   * (whose payloads {@code http.AwsEventStream} passes on as JSON). Identifiers only: the tool
   * input is not among the paths.
   */
  static final String BEDROCK_TOOL_USE_ID = "output.message.content[].toolUse.toolUseId";

  static final String BEDROCK_TOOL_USE_NAME = "output.message.content[].toolUse.name";

  static final String BEDROCK_STREAM_TOOL_USE_ID = "start.toolUse.toolUseId";

  static final String BEDROCK_STREAM_TOOL_USE_NAME = "start.toolUse.name";

  /** Roots under which a whole response may be nested (SSE envelopes). */
  private static final List<String> WRAPPERS = List.of("message.", "response.");

  private static final LegacyJsonFields FIELDS =
      new LegacyJsonFields(allPaths(), wrapped(DECIMAL_PATHS));

  private LegacyUsageParser() {}

  private static Set<String> allPaths() {
    Set<String> paths = wrapped(BASE_PATHS);
    paths.addAll(wrapped(DECIMAL_PATHS));
    paths.addAll(TEXT_PATHS);
    paths.add(WHOLE_TOOL_CALL_ID);
    paths.add(DELTA_TOOL_CALL_ID);
    paths.add(OUTPUT_TYPES);
    paths.addAll(STREAM_TOOL_PATHS);
    paths.addAll(List.of(BEDROCK_TOOL_USE_ID, BEDROCK_TOOL_USE_NAME, BEDROCK_STREAM_TOOL_USE_ID,
        BEDROCK_STREAM_TOOL_USE_NAME));
    return paths;
  }

  /** The paths, bare and under every {@link #WRAPPERS} root. */
  private static Set<String> wrapped(List<String> base) {
    Set<String> paths = new HashSet<>(base);
    for (String wrapper : WRAPPERS) {
      for (String path : base) {
        paths.add(wrapper + path);
      }
    }
    return paths;
  }

  /** Summarises a complete (non-streaming) response body; {@code null} when it is not JSON. */
  public static ResponseSummary parse(String body) {
    return whole(fields(body), body, null);
  }

  /** Same as {@link #parse(String)} for UTF-8 bytes. */
  public static ResponseSummary parse(byte[] body) {
    return whole(unwrap(FIELDS.extract(body)), null, body);
  }

  private static ResponseSummary whole(Map<String, Object> fields, String json, byte[] bytes) {
    if (fields.isEmpty()) {
      return null;
    }
    // reads none of the TEXT_PATHS
    List<ToolCallRef> calls = takeToolCalls(fields, false);
    ToolWire other = otherToolWire(fields);
    if (calls.isEmpty() && other != null) {
      // a second, skipping pass only for an answer that asks for a tool
      calls = other.asked(bytes != null ? bytes : json.getBytes(StandardCharsets.UTF_8));
    }
    ResponseSummary summary = summarize(fields).withToolCalls(calls);
    if (summary.usage() != null) {
      return summary;
    }
    // the text matters only when no usage came: then it is kept until the attempt ends
    StringBuilder text = new StringBuilder();
    takeText(fields, text, Integer.MAX_VALUE);
    return summary.withOutputText(text.toString());
  }

  /**
   * Removes the tool-call ids of one document's fields and returns them with their function names
   * (left in place: they are answer text too), in order: the whole answer's ({@code
   * choices[].message.tool_calls}) or a stream delta's ({@code choices[].delta.tool_calls}, where
   * the first delta of each call carries its id and name) — and Bedrock Converse's {@code toolUse}
   * blocks, whole or opened by a stream's {@code contentBlockStart} (their ids and names removed
   * too: they are no answer text). Empty when there are none or when ids and names do not pair up
   * (a tool call of another type among them).
   */
  static List<ToolCallRef> takeToolCalls(Map<String, Object> fields, boolean delta) {
    Object bedrockId = fields.remove(delta ? BEDROCK_STREAM_TOOL_USE_ID : BEDROCK_TOOL_USE_ID);
    Object bedrockName =
        fields.remove(delta ? BEDROCK_STREAM_TOOL_USE_NAME : BEDROCK_TOOL_USE_NAME);
    if (bedrockId != null) {
      // a stream event opens one block (scalars); a whole answer lists its blocks
      return pair(bedrockId instanceof List ? bedrockId : List.of(bedrockId),
          bedrockName instanceof List || bedrockName == null ? bedrockName : List.of(bedrockName));
    }
    Object ids = fields.remove(delta ? DELTA_TOOL_CALL_ID : WHOLE_TOOL_CALL_ID);
    if (!(ids instanceof List) || ((List<?>) ids).isEmpty()) {
      return List.of();
    }
    return pair(ids, fields.get(delta
        ? "choices[].delta.tool_calls[].function.name"
        : "choices[].message.tool_calls[].function.name"));
  }

  /** Tool calls from parallel lists of ids and names; empty when they do not pair up. */
  private static List<ToolCallRef> pair(Object ids, Object names) {
    if (!(ids instanceof List) || !(names instanceof List)
        || ((List<?>) names).size() != ((List<?>) ids).size()) {
      return List.of();
    }
    List<?> idList = (List<?>) ids;
    List<?> nameList = (List<?>) names;
    List<ToolCallRef> calls = new java.util.ArrayList<>(idList.size());
    for (int i = 0; i < idList.size(); i++) {
      if (idList.get(i) instanceof String && nameList.get(i) instanceof String) {
        calls.add(new ToolCallRef((String) idList.get(i), (String) nameList.get(i)));
      }
    }
    return calls;
  }

  /**
   * The wire whose tool calls a whole answer holds, when they are not OpenAI Chat's: an Anthropic
   * message that stopped for {@code tool_use}, an OpenAI Responses answer with a {@code
   * function_call} output item; else {@code null}.
   */
  private static ToolWire otherToolWire(Map<String, Object> fields) {
    if ("tool_use".equals(str(fields, "stop_reason"))) {
      return ToolWire.ANTHROPIC_MESSAGES;
    }
    Object types = fields.remove(OUTPUT_TYPES);
    if (types instanceof List && ((List<?>) types).contains("function_call")) {
      return ToolWire.OPENAI_RESPONSES;
    }
    return null;
  }

  /**
   * Removes the tool call one stream event opens, when it is not OpenAI Chat's ({@link
   * #takeToolCalls}): a Responses {@code response.output_item.done} of a {@code function_call}
   * ({@code item.call_id}, {@code item.name}), an Anthropic {@code content_block_start} of a {@code
   * tool_use} ({@code content_block.id}; its {@code content_block.name} stays: it is answer text
   * too). {@code null} when the event opens none.
   */
  static ToolCallRef takeStreamToolCall(Map<String, Object> event) {
    Object itemType = event.remove("item.type");
    Object callId = event.remove("item.call_id");
    Object itemName = event.remove("item.name");
    Object blockType = event.remove("content_block.type");
    Object blockId = event.remove("content_block.id");
    if ("function_call".equals(itemType) && "response.output_item.done".equals(event.get("type"))
        && callId instanceof String && itemName instanceof String) {
      return new ToolCallRef((String) callId, (String) itemName);
    }
    Object blockName = event.get("content_block.name");
    if ("tool_use".equals(blockType) && blockId instanceof String && blockName instanceof String) {
      return new ToolCallRef((String) blockId, (String) blockName);
    }
    return null;
  }

  /**
   * Removes the answer-text fields ({@link #TEXT_PATHS}) from one document's fields and appends
   * their text to {@code out}, up to {@code maxChars} in all.
   */
  static void takeText(Map<String, Object> fields, StringBuilder out, int maxChars) {
    for (String path : TEXT_PATHS) {
      Object value = fields.remove(path);
      if (value instanceof List) {
        for (Object item : (List<?>) value) {
          append(out, item, maxChars);
        }
      } else {
        append(out, value, maxChars);
      }
    }
  }

  private static void append(StringBuilder out, Object value, int maxChars) {
    if (value instanceof String && out.length() < maxChars) {
      String s = (String) value;
      out.append(s, 0, Math.min(s.length(), maxChars - out.length()));
    }
  }

  /** Extracts the recognised raw fields of one JSON document, unwrapped from SSE envelopes. */
  static Map<String, Object> fields(String json) {
    return unwrap(FIELDS.extract(json));
  }

  private static Map<String, Object> unwrap(Map<String, Object> raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    Map<String, Object> out = null;
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      for (String wrapper : WRAPPERS) {
        if (e.getKey().startsWith(wrapper)) {
          if (out == null) {
            out = new HashMap<>(raw);
          }
          out.remove(e.getKey());
          out.put(e.getKey().substring(wrapper.length()), e.getValue());
        }
      }
    }
    return out == null ? raw : out;
  }

  /** Normalises raw fields (possibly merged from several stream events) into a summary. */
  static ResponseSummary summarize(Map<String, Object> f) {
    ResponseSummary summary = summarizeShape(f);
    String id = str(f, "id");
    if (id != null || str(f, "responseId") != null) {
      summary = summary.withResponseId(id != null ? id : str(f, "responseId"));
    }
    String cost = ProviderCost.usd(str(f, "usage.cost"));
    return cost == null ? summary : summary.withProviderCostUsd(cost);
  }

  private static ResponseSummary summarizeShape(Map<String, Object> f) {
    if (has(f, "usageMetadata.")) {
      return gemini(f);
    }
    if (f.containsKey("usage.inputTokens") || f.containsKey("usage.outputTokens")) {
      return bedrock(f);
    }
    if (f.containsKey("prompt_eval_count") || f.containsKey("eval_count")) {
      return ollama(f);
    }
    if (isAnthropic(f)) {
      return anthropic(f);
    }
    if (f.containsKey("usage.input_tokens") || f.containsKey("usage.output_tokens")) {
      return openAiResponses(f);
    }
    if (f.containsKey("usage.prompt_tokens") || f.containsKey("usage.completion_tokens")) {
      return openAiChat(f);
    }
    List<String> finish = strings(f, "choices[].finish_reason");
    if (finish.isEmpty()) {
      finish = single(str(f, "stop_reason"), str(f, "delta.stop_reason"));
    }
    return new ResponseSummary(str(f, "model"), finish, null);
  }

  private static boolean isAnthropic(Map<String, Object> f) {
    String type = str(f, "type");
    return f.containsKey("usage.cache_creation_input_tokens")
        || f.containsKey("usage.cache_read_input_tokens")
        || f.containsKey("usage.cache_creation.ephemeral_1h_input_tokens")
        || f.containsKey("usage.output_tokens_details.thinking_tokens")
        || f.containsKey("usage.service_tier")
        || (type != null && type.startsWith("message"));
  }

  private static ResponseSummary openAiChat(Map<String, Object> f) {
    Long completion = num(f, "usage.completion_tokens");
    Usage usage =
        Usage.builder()
            .inputTokens(num(f, "usage.prompt_tokens"))
            .cacheReadTokens(num(f, "usage.prompt_tokens_details.cached_tokens"))
            .cacheWriteTokens(num(f, "usage.prompt_tokens_details.cache_write_tokens"))
            // embeddings report no completion tokens: they produce no billed output
            .outputTokens(completion != null ? completion : Long.valueOf(0))
            .reasoningTokens(num(f, "usage.completion_tokens_details.reasoning_tokens"))
            .serviceTier(str(f, "service_tier"))
            .build();
    return new ResponseSummary(str(f, "model"), strings(f, "choices[].finish_reason"), usage);
  }

  private static ResponseSummary openAiResponses(Map<String, Object> f) {
    Usage usage =
        Usage.builder()
            .inputTokens(num(f, "usage.input_tokens"))
            .cacheReadTokens(num(f, "usage.input_tokens_details.cached_tokens"))
            .cacheWriteTokens(num(f, "usage.input_tokens_details.cache_write_tokens"))
            .outputTokens(num(f, "usage.output_tokens"))
            .reasoningTokens(num(f, "usage.output_tokens_details.reasoning_tokens"))
            .serviceTier(str(f, "service_tier"))
            .build();
    return new ResponseSummary(str(f, "model"), Collections.emptyList(), usage);
  }

  private static ResponseSummary anthropic(Map<String, Object> f) {
    // Anthropic's input_tokens excludes cache reads and writes: the total is the sum of the three
    Long read = num(f, "usage.cache_read_input_tokens");
    Long write = num(f, "usage.cache_creation_input_tokens");
    Long input = num(f, "usage.input_tokens");
    Usage usage =
        Usage.builder()
            .inputTokens(input == null && read == null && write == null ? null : sum(input, read, write))
            .cacheReadTokens(read)
            .cacheWriteTokens(write)
            .cacheWrite1hTokens(num(f, "usage.cache_creation.ephemeral_1h_input_tokens"))
            .outputTokens(num(f, "usage.output_tokens"))
            .reasoningTokens(num(f, "usage.output_tokens_details.thinking_tokens"))
            .serviceTier(str(f, "usage.service_tier"))
            .build();
    String stop = str(f, "stop_reason");
    return new ResponseSummary(
        str(f, "model"), single(stop != null ? stop : str(f, "delta.stop_reason")), usage);
  }

  private static ResponseSummary gemini(Map<String, Object> f) {
    // thoughts sit outside candidatesTokenCount, tool-use prompt tokens outside promptTokenCount
    Long prompt = num(f, "usageMetadata.promptTokenCount");
    Long toolUse = num(f, "usageMetadata.toolUsePromptTokenCount");
    Long candidates = num(f, "usageMetadata.candidatesTokenCount");
    Long thoughts = num(f, "usageMetadata.thoughtsTokenCount");
    Usage usage =
        Usage.builder()
            .inputTokens(prompt == null && toolUse == null ? null : sum(prompt, toolUse))
            .cacheReadTokens(num(f, "usageMetadata.cachedContentTokenCount"))
            .outputTokens(candidates == null && thoughts == null ? null : sum(candidates, thoughts))
            .reasoningTokens(thoughts)
            .serviceTier(str(f, "usageMetadata.trafficType"))
            .build();
    return new ResponseSummary(
        str(f, "modelVersion"), strings(f, "candidates[].finishReason"), usage);
  }

  private static ResponseSummary bedrock(Map<String, Object> f) {
    Long read = num(f, "usage.cacheReadInputTokens");
    Long write = num(f, "usage.cacheWriteInputTokens");
    Long oneHour = null;
    List<Object> ttls = list(f, "usage.cacheDetails[].ttl");
    List<Object> counts = list(f, "usage.cacheDetails[].inputTokens");
    for (int i = 0; i < ttls.size() && i < counts.size(); i++) {
      if ("1h".equals(ttls.get(i)) && counts.get(i) instanceof Long) {
        oneHour = sum(oneHour, (Long) counts.get(i));
      }
    }
    Usage usage =
        Usage.builder()
            .inputTokens(sum(num(f, "usage.inputTokens"), read, write))
            .cacheReadTokens(read)
            .cacheWriteTokens(write)
            .cacheWrite1hTokens(oneHour)
            .outputTokens(num(f, "usage.outputTokens"))
            .serviceTier(str(f, "serviceTier.type"))
            .build();
    return new ResponseSummary(null, single(str(f, "stopReason")), usage);
  }

  private static ResponseSummary ollama(Map<String, Object> f) {
    // prompt_eval_count is omitted when the whole prompt came from Ollama's KV cache
    Long prompt = num(f, "prompt_eval_count");
    Usage usage =
        Usage.builder()
            .inputTokens(prompt != null ? prompt : Long.valueOf(0))
            .outputTokens(num(f, "eval_count"))
            .build();
    return new ResponseSummary(str(f, "model"), single(str(f, "done_reason")), usage);
  }

  private static boolean has(Map<String, Object> f, String prefix) {
    for (String key : f.keySet()) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static Long num(Map<String, Object> f, String key) {
    Object v = f.get(key);
    return v instanceof Long ? (Long) v : null;
  }

  private static String str(Map<String, Object> f, String key) {
    Object v = f.get(key);
    return v instanceof String ? (String) v : null;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> f, String key) {
    Object v = f.get(key);
    return v instanceof List ? (List<Object>) v : Collections.emptyList();
  }

  private static List<String> strings(Map<String, Object> f, String key) {
    List<String> out = new ArrayList<>();
    for (Object o : list(f, key)) {
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

  private static Long sum(Long... values) {
    long total = 0;
    for (Long v : values) {
      if (v != null) {
        total += v;
      }
    }
    return total;
  }
}
