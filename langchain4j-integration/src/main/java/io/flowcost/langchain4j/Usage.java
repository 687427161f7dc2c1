package io.flowcost.langchain4j;

import dev.langchain4j.model.output.TokenUsage;
import io.opentelemetry.api.trace.Span;
import java.lang.reflect.Method;

/**
 * Normalises a LangChain4j {@link TokenUsage} to the OpenTelemetry GenAI usage attributes
 * (DESIGN.md "Tokens and cost"): input includes cache reads and writes, output includes reasoning.
 *
 * <p>Provider subclasses are read reflectively by name, so this library needs none of the
 * provider modules: OpenAI's {@code prompt_tokens} already includes cached tokens; Anthropic's
 * and Bedrock's input count excludes the cache, so cache reads and writes are added; Gemini's
 * output count excludes thoughts, so they are added.
 */
final class Usage {

  private Usage() {}

  static void record(Span span, TokenUsage usage) {
    if (usage == null) {
      return;
    }
    Long input = toLong(usage.inputTokenCount());
    Long output = toLong(usage.outputTokenCount());
    if (input == null && output == null) {
      return;
    }
    Long cacheRead = null;
    Long cacheWrite = null;
    Long reasoning = null;
    String type = usage.getClass().getName();
    if (type.contains("Anthropic") || type.contains("Bedrock")) {
      cacheRead = number(usage, "cacheReadInputTokens");
      cacheWrite = number(usage, "cacheCreationInputTokens");
      if (cacheWrite == null) {
        cacheWrite = number(usage, "cacheWriteInputTokens");
      }
      input = sum(input, sum(cacheRead, cacheWrite));
    } else if (type.contains("OpenAi")) {
      cacheRead = number(call(usage, "inputTokensDetails"), "cachedTokens");
      reasoning = number(call(usage, "outputTokensDetails"), "reasoningTokens");
    } else if (type.contains("Gemini")) {
      cacheRead = number(usage, "cachedContentTokenCount");
      reasoning = number(usage, "thoughtsTokenCount");
      output = sum(output, reasoning);
    }
    set(span, Attributes.INPUT_TOKENS, input);
    set(span, Attributes.CACHE_READ_TOKENS, cacheRead);
    set(span, Attributes.CACHE_CREATION_TOKENS, cacheWrite);
    set(span, Attributes.OUTPUT_TOKENS, output);
    set(span, Attributes.REASONING_TOKENS, reasoning);
  }

  private static void set(Span span, io.opentelemetry.api.common.AttributeKey<Long> key, Long value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }

  /** Calls a public no-argument method, or returns {@code null} when there is none. */
  static Object call(Object target, String method) {
    if (target == null) {
      return null;
    }
    try {
      Method m = target.getClass().getMethod(method);
      return m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Long number(Object target, String method) {
    Object value = call(target, method);
    return value instanceof Number n ? n.longValue() : null;
  }

  private static Long toLong(Integer value) {
    return value == null ? null : value.longValue();
  }

  private static Long sum(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Long.valueOf(a + b);
  }
}
