package io.flowcost.examples.fakeprovider;

/**
 * The pure functions from a request to the usage the fake reports. Tests may call them to
 * predict the numbers; {@link FakeProvider#exchanges()} records what was actually sent.
 *
 * <ul>
 *   <li>{@code tokens(chars) = ceil(chars / 4)}.
 *   <li>Prompt (all input) tokens {@code = 100 + 10 × messages + 5 × tools + tokens(text
 *       characters)}, where a system prompt counts as a message and the text includes tool
 *       arguments and tool results.
 *   <li>Output tokens: {@value #TEXT_OUTPUT_TOKENS} for a text answer, {@value
 *       #TOOL_CALL_OUTPUT_TOKENS} for a tool call; models whose name starts with {@code o} or
 *       {@code gpt-5} also think {@value #REASONING_TOKENS} reasoning tokens, which OpenAI counts
 *       inside {@code completion_tokens}.
 *   <li>OpenAI prompt cache: a system prompt of at least {@value #OPENAI_CACHE_MIN_CHARS}
 *       characters (≈ 1024 tokens, OpenAI's minimum) is treated as a warm prefix: {@code
 *       cached_tokens = tokens(system chars)} rounded down to a multiple of 128. Cached tokens
 *       are part of {@code prompt_tokens}.
 *   <li>Anthropic prompt cache: when the system prompt carries a {@code cache_control} (or the
 *       last user message a cache marker), the cacheable prefix is {@code tokens(system chars)}.
 *       On the first turn of a conversation (no assistant message yet) the prefix is written
 *       (5-minute TTL, or 1-hour with {@code [cache-write-1h]} or {@code ttl: "1h"}), on later
 *       turns or with {@code [cache-hit]} it is read. {@code input_tokens} excludes both:
 *       {@code input_tokens = prompt − cache read − cache write}.
 *   <li>Embeddings: {@code prompt_tokens = total_tokens = Σ max(1, tokens(input chars))}.
 * </ul>
 */
public final class UsageRules {

  /** Output tokens of a text answer (without reasoning). */
  public static final long TEXT_OUTPUT_TOKENS = 42;
  /** Output tokens of a tool-call turn (without reasoning). */
  public static final long TOOL_CALL_OUTPUT_TOKENS = 18;
  /** Reasoning tokens of a reasoning model, included in its output tokens. */
  public static final long REASONING_TOKENS = 64;
  /** Minimum system prompt length, in characters, that OpenAI reports as cached. */
  public static final int OPENAI_CACHE_MIN_CHARS = 4096;

  private UsageRules() {}

  /** Characters to tokens: {@code ceil(chars / 4)}. */
  public static long tokens(long chars) {
    return (chars + 3) / 4;
  }

  /** All input tokens of a chat request. */
  public static long promptTokens(int messages, int tools, long textChars) {
    return 100 + 10L * messages + 5L * tools + tokens(textChars);
  }

  /** Whether the model is treated as a reasoning model. */
  public static boolean isReasoningModel(String model) {
    return model != null && (model.startsWith("o") || model.startsWith("gpt-5"));
  }

  /** Reasoning tokens for a reply of this model. */
  public static long reasoningTokens(String model) {
    return isReasoningModel(model) ? REASONING_TOKENS : 0;
  }

  /** All output tokens of a reply, reasoning included. */
  public static long outputTokens(String model, boolean toolCall) {
    return (toolCall ? TOOL_CALL_OUTPUT_TOKENS : TEXT_OUTPUT_TOKENS) + reasoningTokens(model);
  }

  /** OpenAI {@code cached_tokens} for a system prompt of this many characters. */
  public static long openAiCachedTokens(long systemChars) {
    if (systemChars < OPENAI_CACHE_MIN_CHARS) {
      return 0;
    }
    return tokens(systemChars) / 128 * 128;
  }

  /** Tokens of one embedding input. */
  public static long embeddingTokens(String input) {
    return Math.max(1, tokens(input.length()));
  }
}
