package io.flowcost.langchain4j;

import java.util.Locale;

/**
 * Maps LangChain4j {@code ModelProvider} constants to {@code gen_ai.provider.name}, by {@code
 * name()} so that constants an older LangChain4j lacks never break the mapping. Same table as
 * the agent's.
 */
final class ProviderNames {

  private ProviderNames() {}

  /** The semantic-convention provider name, or {@code null} for {@code null} or {@code OTHER}. */
  static String of(Enum<?> provider) {
    if (provider == null || provider.name().equals("OTHER")) {
      return null;
    }
    return switch (provider.name()) {
      case "OPEN_AI" -> "openai";
      case "ANTHROPIC" -> "anthropic";
      case "GOOGLE_AI_GEMINI" -> "gcp.gemini";
      case "GOOGLE_VERTEX_AI_GEMINI", "GOOGLE_VERTEX_AI_ANTHROPIC" -> "gcp.vertex_ai";
      case "AMAZON_BEDROCK" -> "aws.bedrock";
      case "AZURE_OPEN_AI" -> "azure.ai.openai";
      case "MISTRAL_AI" -> "mistral_ai";
      case "OLLAMA" -> "ollama";
      case "WATSONX" -> "ibm.watsonx.ai";
      default -> provider.name().toLowerCase(Locale.ROOT);
    };
  }
}
