package io.flowcost.agent.langchain4j;

import io.flowcost.contract.Provider;
import java.util.Locale;

/**
 * Maps LangChain4j's {@code ModelProvider} constants (by {@code name()}, so that constants missing
 * from an older LangChain4j never break the agent) and model class names to OpenTelemetry {@code
 * gen_ai.provider.name} values.
 */
public final class ProviderNames {

  private ProviderNames() {}

  /**
   * Returns the semantic-convention name of a {@code ModelProvider} constant name, or {@code null}
   * for {@code null}, blank or {@code OTHER}.
   */
  public static String fromEnumName(String name) {
    return Provider.fromLangChain4j(name);
  }

  /**
   * Guesses the provider from a model class name ({@code dev.langchain4j.model.openai.OpenAiChatModel}
   * → {@code openai}); falls back to the lower-case simple class name.
   */
  public static String fromClassName(String className) {
    if (className == null) {
      return null;
    }
    String lower = className.toLowerCase(Locale.ROOT);
    if (lower.contains("azure")) {
      return Provider.AZURE_AI_OPENAI.wire();
    }
    if (lower.contains("openai")) {
      return Provider.OPENAI.wire();
    }
    if (lower.contains("anthropic")) {
      return Provider.ANTHROPIC.wire();
    }
    if (lower.contains("vertexai")) {
      return Provider.GCP_VERTEX_AI.wire();
    }
    if (lower.contains("gemini") || lower.contains("googleai")) {
      return Provider.GCP_GEMINI.wire();
    }
    if (lower.contains("bedrock")) {
      return Provider.AWS_BEDROCK.wire();
    }
    if (lower.contains("mistral")) {
      return Provider.MISTRAL_AI.wire();
    }
    if (lower.contains("ollama")) {
      return Provider.OLLAMA.wire();
    }
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int dollar = simple.lastIndexOf('$');
    if (dollar >= 0 && dollar + 1 < simple.length() && Character.isLetter(simple.charAt(dollar + 1))) {
      simple = simple.substring(dollar + 1);
    }
    return simple.toLowerCase(Locale.ROOT);
  }

  /** The provider of a LangChain4j model object: its {@code provider()}, else its class name. */
  public static String of(Object model) {
    Object provider = Reflect.call(model, "provider");
    String name = provider instanceof Enum ? fromEnumName(((Enum<?>) provider).name()) : null;
    return name != null ? name : fromClassName(model == null ? null : model.getClass().getName());
  }
}
