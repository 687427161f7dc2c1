package io.flowcost.agent.usage;

/**
 * Every field of a provider response the agent reads (usage, model, finish reasons, ids, answer
 * text, tool-call identifiers): the one list {@link UsageScanner} looks for and {@link UsageParser}
 * normalises. A path is dot-separated field names; {@code []} marks "any element of this array",
 * whose values are collected into a list in document order.
 *
 * <p>A {@link Kind#WRAPPED} field is also looked for under the roots {@code message.} and {@code
 * response.} (the SSE envelopes Anthropic's {@code message_start} and OpenAI Responses' {@code
 * response.completed} put a whole response in); the wrapped value, where present, replaces the
 * bare one. {@link Kind#TEXT} fields are the answer's text, read only to be counted should no
 * usage come ({@link ResponseSummary#outputText()}); they are appended in the order of this enum.
 */
enum UsageField {
  MODEL("model", Kind.WRAPPED),
  /** The provider's id of the response (OpenAI, Anthropic). */
  ID("id", Kind.WRAPPED),
  /** Gemini's id of the response. */
  RESPONSE_ID("responseId", Kind.WRAPPED),
  SERVICE_TIER("service_tier", Kind.WRAPPED),
  TYPE("type", Kind.WRAPPED),
  OBJECT("object", Kind.WRAPPED),
  STOP_REASON("stop_reason", Kind.WRAPPED),
  DELTA_STOP_REASON("delta.stop_reason", Kind.WRAPPED),
  CHOICES_FINISH_REASON("choices[].finish_reason", Kind.WRAPPED),
  // OpenAI chat / embeddings
  PROMPT_TOKENS("usage.prompt_tokens", Kind.WRAPPED),
  COMPLETION_TOKENS("usage.completion_tokens", Kind.WRAPPED),
  PROMPT_CACHED_TOKENS("usage.prompt_tokens_details.cached_tokens", Kind.WRAPPED),
  PROMPT_CACHE_WRITE_TOKENS("usage.prompt_tokens_details.cache_write_tokens", Kind.WRAPPED),
  COMPLETION_REASONING_TOKENS("usage.completion_tokens_details.reasoning_tokens", Kind.WRAPPED),
  // OpenAI responses + Anthropic
  INPUT_TOKENS("usage.input_tokens", Kind.WRAPPED),
  OUTPUT_TOKENS("usage.output_tokens", Kind.WRAPPED),
  INPUT_CACHED_TOKENS("usage.input_tokens_details.cached_tokens", Kind.WRAPPED),
  INPUT_CACHE_WRITE_TOKENS("usage.input_tokens_details.cache_write_tokens", Kind.WRAPPED),
  OUTPUT_REASONING_TOKENS("usage.output_tokens_details.reasoning_tokens", Kind.WRAPPED),
  CACHE_CREATION_INPUT_TOKENS("usage.cache_creation_input_tokens", Kind.WRAPPED),
  CACHE_READ_INPUT_TOKENS("usage.cache_read_input_tokens", Kind.WRAPPED),
  CACHE_CREATION_1H("usage.cache_creation.ephemeral_1h_input_tokens", Kind.WRAPPED),
  OUTPUT_THINKING_TOKENS("usage.output_tokens_details.thinking_tokens", Kind.WRAPPED),
  USAGE_SERVICE_TIER("usage.service_tier", Kind.WRAPPED),
  // Gemini
  MODEL_VERSION("modelVersion", Kind.WRAPPED),
  CANDIDATES_FINISH_REASON("candidates[].finishReason", Kind.WRAPPED),
  GEMINI_PROMPT("usageMetadata.promptTokenCount", Kind.WRAPPED),
  GEMINI_CACHED("usageMetadata.cachedContentTokenCount", Kind.WRAPPED),
  GEMINI_CANDIDATES("usageMetadata.candidatesTokenCount", Kind.WRAPPED),
  GEMINI_THOUGHTS("usageMetadata.thoughtsTokenCount", Kind.WRAPPED),
  GEMINI_TOOL_USE_PROMPT("usageMetadata.toolUsePromptTokenCount", Kind.WRAPPED),
  GEMINI_TRAFFIC_TYPE("usageMetadata.trafficType", Kind.WRAPPED),
  // Bedrock Converse
  BEDROCK_STOP_REASON("stopReason", Kind.WRAPPED),
  BEDROCK_INPUT("usage.inputTokens", Kind.WRAPPED),
  BEDROCK_OUTPUT("usage.outputTokens", Kind.WRAPPED),
  BEDROCK_CACHE_READ("usage.cacheReadInputTokens", Kind.WRAPPED),
  BEDROCK_CACHE_WRITE("usage.cacheWriteInputTokens", Kind.WRAPPED),
  BEDROCK_CACHE_TTL("usage.cacheDetails[].ttl", Kind.WRAPPED),
  BEDROCK_CACHE_TOKENS("usage.cacheDetails[].inputTokens", Kind.WRAPPED),
  BEDROCK_SERVICE_TIER("serviceTier.type", Kind.WRAPPED),
  // Ollama native
  OLLAMA_PROMPT("prompt_eval_count", Kind.WRAPPED),
  OLLAMA_EVAL("eval_count", Kind.WRAPPED),
  OLLAMA_DONE_REASON("done_reason", Kind.WRAPPED),
  /**
   * OpenRouter's {@code usage.cost}, in USD, on a whole response and on the last chunk of a
   * stream: a number is kept as its exact JSON text ({@link ProviderCost}), never a {@code double}.
   */
  COST("usage.cost", Kind.WRAPPED_DECIMAL),

  // Answer text (OpenAI Chat Completions streamed and whole, Anthropic Messages streamed and
  // whole), in the order it is appended
  TEXT_DELTA_CONTENT("choices[].delta.content", Kind.TEXT),
  TEXT_DELTA_REFUSAL("choices[].delta.refusal", Kind.TEXT),
  TEXT_DELTA_TOOL_NAME("choices[].delta.tool_calls[].function.name", Kind.TEXT),
  TEXT_DELTA_TOOL_ARGUMENTS("choices[].delta.tool_calls[].function.arguments", Kind.TEXT),
  TEXT_MESSAGE_CONTENT("choices[].message.content", Kind.TEXT),
  TEXT_MESSAGE_REFUSAL("choices[].message.refusal", Kind.TEXT),
  TEXT_MESSAGE_TOOL_NAME("choices[].message.tool_calls[].function.name", Kind.TEXT),
  TEXT_MESSAGE_TOOL_ARGUMENTS("choices[].message.tool_calls[].function.arguments", Kind.TEXT),
  TEXT_ANTHROPIC_DELTA("delta.text", Kind.TEXT),
  TEXT_ANTHROPIC_PARTIAL_JSON("delta.partial_json", Kind.TEXT),
  TEXT_ANTHROPIC_THINKING("delta.thinking", Kind.TEXT),
  /** The name of the tool an Anthropic stream's {@code content_block_start} opens. */
  TEXT_BLOCK_NAME("content_block.name", Kind.TEXT),
  TEXT_CONTENT_TEXT("content[].text", Kind.TEXT),
  TEXT_CONTENT_NAME("content[].name", Kind.TEXT),
  TEXT_CONTENT_THINKING("content[].thinking", Kind.TEXT),

  // Tool-call identifiers (their function names are answer text above)
  /** The id of each tool call of a whole OpenAI Chat Completions answer. */
  WHOLE_TOOL_CALL_ID("choices[].message.tool_calls[].id", Kind.PLAIN),
  /** The id of a tool call in the stream delta that opens it. */
  DELTA_TOOL_CALL_ID("choices[].delta.tool_calls[].id", Kind.PLAIN),
  /**
   * The type of each item of an OpenAI Responses answer's {@code output}: a {@code function_call}
   * among them means the answer asks for a tool ({@link ToolWire#OPENAI_RESPONSES}).
   */
  OUTPUT_TYPES("output[].type", Kind.PLAIN),
  // the stream events that carry one finished Responses output item (response.output_item.done)
  // and the block that opens an Anthropic tool_use (content_block_start)
  ITEM_TYPE("item.type", Kind.PLAIN),
  ITEM_CALL_ID("item.call_id", Kind.PLAIN),
  ITEM_NAME("item.name", Kind.PLAIN),
  BLOCK_TYPE("content_block.type", Kind.PLAIN),
  BLOCK_ID("content_block.id", Kind.PLAIN),
  /**
   * Bedrock Converse: the {@code toolUseId} and {@code name} of each {@code toolUse} block of a
   * whole answer, and of the {@code contentBlockStart} event that opens one in a ConverseStream.
   * Identifiers only: the tool input is not read.
   */
  BEDROCK_TOOL_USE_ID("output.message.content[].toolUse.toolUseId", Kind.PLAIN),
  BEDROCK_TOOL_USE_NAME("output.message.content[].toolUse.name", Kind.PLAIN),
  BEDROCK_STREAM_TOOL_USE_ID("start.toolUse.toolUseId", Kind.PLAIN),
  BEDROCK_STREAM_TOOL_USE_NAME("start.toolUse.name", Kind.PLAIN);

  /** How a field is looked for and kept. */
  enum Kind {
    /** At its path only. */
    PLAIN,
    /** At its path and under the {@code message.} and {@code response.} envelopes. */
    WRAPPED,
    /** As {@link #WRAPPED}, a number kept as its exact text. */
    WRAPPED_DECIMAL,
    /** Answer text: kept as a position in the body, decoded only when wanted. */
    TEXT
  }

  static final UsageField[] ALL = values();

  /** Roots under which a {@link Kind#WRAPPED} field is looked for too; index + 1 is its rank. */
  static final String[] WRAPPERS = {"message.", "response."};

  final String path;
  final Kind kind;
  /** Whether values here are collected into a list (the path crosses an array). */
  final boolean list;

  UsageField(String path, Kind kind) {
    this.path = path;
    this.kind = kind;
    this.list = path.contains("[]");
  }

  boolean wrapped() {
    return kind == Kind.WRAPPED || kind == Kind.WRAPPED_DECIMAL;
  }

  boolean decimal() {
    return kind == Kind.WRAPPED_DECIMAL;
  }

  boolean text() {
    return kind == Kind.TEXT;
  }
}
