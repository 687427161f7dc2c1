package io.flowcost.agent.langchain4j;

import io.flowcost.agent.usage.Usage;

/**
 * Normalises a LangChain4j {@code TokenUsage} (read reflectively) to {@link Usage}: the fallback
 * when the wire parser found no usage in the responses themselves.
 */
public final class ClientUsage {

  private ClientUsage() {}

  /** Returns the normalised usage of a {@code TokenUsage}, or {@code null}. */
  public static Usage from(Object tokenUsage) {
    if (tokenUsage == null) {
      return null;
    }
    Long input = Reflect.callLong(tokenUsage, "inputTokenCount");
    Long output = Reflect.callLong(tokenUsage, "outputTokenCount");
    if (input == null && output == null) {
      return null;
    }
    Usage.Builder usage = Usage.builder();
    String type = tokenUsage.getClass().getName();
    if (type.contains("Anthropic") || type.contains("Bedrock")) {
      // their inputTokenCount is the provider's raw input_tokens, which excludes the cache
      Long read = Reflect.callLong(tokenUsage, "cacheReadInputTokens");
      Long write = Reflect.callLong(tokenUsage, "cacheCreationInputTokens");
      if (write == null) {
        write = Reflect.callLong(tokenUsage, "cacheWriteInputTokens");
      }
      usage.cacheReadTokens(read).cacheWriteTokens(write);
      input = add(input, add(read, write));
    } else if (type.contains("OpenAi")) {
      usage.cacheReadTokens(
          Reflect.callLong(Reflect.call(tokenUsage, "inputTokensDetails"), "cachedTokens"));
      usage.reasoningTokens(
          Reflect.callLong(Reflect.call(tokenUsage, "outputTokensDetails"), "reasoningTokens"));
    } else if (type.contains("Gemini")) {
      usage.cacheReadTokens(Reflect.callLong(tokenUsage, "cachedContentTokenCount"));
      Long thoughts = Reflect.callLong(tokenUsage, "thoughtsTokenCount");
      usage.reasoningTokens(thoughts);
      // Gemini's candidatesTokenCount (LangChain4j's output count) excludes thoughts
      output = add(output, thoughts);
    }
    return usage.inputTokens(input).outputTokens(output).build();
  }

  private static Long add(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Long.valueOf(a + b);
  }
}
