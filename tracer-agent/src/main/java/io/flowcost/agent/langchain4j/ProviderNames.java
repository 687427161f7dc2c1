package io.flowcost.agent.langchain4j;

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
    if (name == null || name.isBlank() || name.equals("OTHER")) {
      return null;
    }
    switch (name) {
      case "OPEN_AI":
        return "openai";
      case "ANTHROPIC":
        return "anthropic";
      case "GOOGLE_AI_GEMINI":
        return "gcp.gemini";
      case "GOOGLE_VERTEX_AI_GEMINI":
      case "GOOGLE_VERTEX_AI_ANTHROPIC":
        return "gcp.vertex_ai";
      case "AMAZON_BEDROCK":
        return "aws.bedrock";
      case "AZURE_OPEN_AI":
        return "azure.ai.openai";
      case "MISTRAL_AI":
        return "mistral_ai";
      case "OLLAMA":
        return "ollama";
      case "WATSONX":
        return "ibm.watsonx.ai";
      default:
        return name.toLowerCase(Locale.ROOT);
    }
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
      return "azure.ai.openai";
    }
    if (lower.contains("openai")) {
      return "openai";
    }
    if (lower.contains("anthropic")) {
      return "anthropic";
    }
    if (lower.contains("vertexai")) {
      return "gcp.vertex_ai";
    }
    if (lower.contains("gemini") || lower.contains("googleai")) {
      return "gcp.gemini";
    }
    if (lower.contains("bedrock")) {
      return "aws.bedrock";
    }
    if (lower.contains("mistral")) {
      return "mistral_ai";
    }
    if (lower.contains("ollama")) {
      return "ollama";
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
