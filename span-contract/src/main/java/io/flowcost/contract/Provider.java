package io.flowcost.contract;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Model providers by their OpenTelemetry {@code gen_ai.provider.name} spelling, plus the
 * spellings other instrumentations use for the same provider (Spring AI's {@code azure-openai},
 * {@code bedrock_converse}, {@code vertex_ai}, {@code google_genai}). A provider this version does
 * not know is no error: producers and the collector keep its name as reported.
 */
public enum Provider {
  OPENAI("openai"),
  ANTHROPIC("anthropic"),
  AWS_BEDROCK("aws.bedrock", "bedrock_converse", "bedrock"),
  AZURE_AI_OPENAI("azure.ai.openai", "azure-openai", "azure_openai"),
  AZURE_AI_INFERENCE("azure.ai.inference"),
  GCP_GEMINI("gcp.gemini"),
  GCP_VERTEX_AI("gcp.vertex_ai", "vertex_ai"),
  GCP_GEN_AI("gcp.gen_ai", "google_genai"),
  MISTRAL_AI("mistral_ai"),
  COHERE("cohere"),
  DEEPSEEK("deepseek"),
  GROQ("groq"),
  PERPLEXITY("perplexity"),
  X_AI("x_ai"),
  IBM_WATSONX_AI("ibm.watsonx.ai"),
  OLLAMA("ollama");

  private static final Map<String, Provider> BY_SPELLING = bySpelling();

  private final String wire;
  private final String[] aliases;

  Provider(String wire, String... aliases) {
    this.wire = wire;
    this.aliases = aliases;
  }

  /** The {@code gen_ai.provider.name} spelling. */
  public String wire() {
    return wire;
  }

  /**
   * The provider spelled {@code value} — its conventions' name or a known alias, case-insensitive
   * — or empty for {@code null} and for a provider this version does not know.
   */
  public static Optional<Provider> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_SPELLING.get(value.trim().toLowerCase(Locale.ROOT)));
  }

  /**
   * The conventions' spelling of a reported provider name: a known provider's {@link #wire()}
   * (so that an alias such as Spring AI's {@code azure-openai} prices like {@code
   * azure.ai.openai}), an unknown one as reported; {@code null} or blank gives {@code null}.
   */
  public static String normalise(String reported) {
    if (reported == null || reported.isBlank()) {
      return null;
    }
    return fromWire(reported).map(Provider::wire).orElse(reported);
  }

  /**
   * The {@code gen_ai.provider.name} of a LangChain4j {@code ModelProvider} constant, given by
   * its {@code name()} (so that constants an older or newer LangChain4j lacks never break a
   * caller): {@code null} for {@code null}, blank or {@code OTHER}; a constant this table does
   * not know gives its lower-case name.
   */
  public static String fromLangChain4j(String constantName) {
    if (constantName == null || constantName.isBlank() || constantName.equals("OTHER")) {
      return null;
    }
    switch (constantName) {
      case "OPEN_AI":
        return OPENAI.wire;
      case "ANTHROPIC":
        return ANTHROPIC.wire;
      case "GOOGLE_AI_GEMINI":
        return GCP_GEMINI.wire;
      case "GOOGLE_VERTEX_AI_GEMINI":
      case "GOOGLE_VERTEX_AI_ANTHROPIC":
        return GCP_VERTEX_AI.wire;
      case "AMAZON_BEDROCK":
        return AWS_BEDROCK.wire;
      case "AZURE_OPEN_AI":
        return AZURE_AI_OPENAI.wire;
      case "MISTRAL_AI":
        return MISTRAL_AI.wire;
      case "OLLAMA":
        return OLLAMA.wire;
      case "WATSONX":
        return IBM_WATSONX_AI.wire;
      default:
        return constantName.toLowerCase(Locale.ROOT);
    }
  }

  private static Map<String, Provider> bySpelling() {
    Map<String, Provider> map = new java.util.HashMap<>();
    for (Provider p : values()) {
      map.put(p.wire, p);
      for (String alias : p.aliases) {
        map.put(alias, p);
      }
    }
    return Map.copyOf(map);
  }
}
