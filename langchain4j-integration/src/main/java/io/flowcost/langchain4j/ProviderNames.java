package io.flowcost.langchain4j;

import io.flowcost.contract.Provider;

/**
 * Maps LangChain4j {@code ModelProvider} constants to {@code gen_ai.provider.name}, by {@code
 * name()} so that constants an older LangChain4j lacks never break the mapping. The table itself
 * is {@link Provider#fromLangChain4j}, shared with the agent.
 */
final class ProviderNames {

  private ProviderNames() {}

  /** The semantic-convention provider name, or {@code null} for {@code null} or {@code OTHER}. */
  static String of(Enum<?> provider) {
    return provider == null ? null : Provider.fromLangChain4j(provider.name());
  }
}
