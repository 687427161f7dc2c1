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

  private static final Reflect.Getter PROVIDER = Reflect.getter("provider");

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
    return of(model, PROVIDER.call(model));
  }

  /** {@link #of(Object)} with the model's {@code provider()} already read (a constant, or null). */
  public static String of(Object model, Object provider) {
    String name = provider instanceof Enum ? ofConstant((Enum<?>) provider) : null;
    return name != null ? name : model == null ? null : BY_CLASS.get(model.getClass());
  }

  /**
   * {@link #fromClassName} of a model class, worked out once per class: a model without {@code
   * provider()} would otherwise lower-case and search its class name on every call.
   */
  private static final ClassValue<String> BY_CLASS = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      return fromClassName(type.getName());
    }
  };

  /**
   * {@link #fromEnumName} of a constant, mapped once per constant: every chat call asks, and the
   * mapping (a blank check, a string switch, a lower-casing for unknown constants) was a visible
   * share of the call's start in a steady-state profile. Kept per enum class (not in a map keyed by
   * the constant, which would keep an application's class loader alive); {@code ""} stands for
   * {@code null} in the table.
   */
  static String ofConstant(Enum<?> constant) {
    String[] byOrdinal = BY_ORDINAL.get(constant.getDeclaringClass());
    int ordinal = constant.ordinal();
    if (ordinal >= byOrdinal.length) {
      return fromEnumName(constant.name());
    }
    String name = byOrdinal[ordinal];
    if (name == null) {
      String mapped = fromEnumName(constant.name());
      name = mapped == null ? "" : mapped;
      byOrdinal[ordinal] = name; // a benign race: equal strings
    }
    return name.isEmpty() ? null : name;
  }

  private static final ClassValue<String[]> BY_ORDINAL = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      return new String[constants == null ? 0 : constants.length];
    }
  };
}
