package io.flowcost.pricing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps a provider-reported model name to a catalog key {@code provider/model}.
 *
 * <p>Matching is case-insensitive and exact: the reported name is looked up as written, then
 * after each of these well-defined rewrites, and the first name found wins:
 * <ol>
 *   <li>a configured deployment alias (Azure deployment names) replaces the name;</li>
 *   <li>a path prefix is dropped ({@code openai/gpt-4o}, {@code bedrock/…}, {@code models/…},
 *       Bedrock ARNs); a known provider in it becomes a provider hint;</li>
 *   <li>a Bedrock inference-profile prefix is dropped ({@code us.}, {@code eu.}, {@code apac.},
 *       {@code jp.}, {@code au.}, {@code ca.}, {@code us-gov.}, {@code global.});</li>
 *   <li>a {@code -latest} / {@code @latest} suffix is dropped;</li>
 *   <li>a snapshot date or version suffix is dropped ({@code -2024-08-06}, {@code -20250929},
 *       {@code @20250929}, {@code -2411}, {@code -001}).</li>
 * </ol>
 * A name is never matched by prefix, so {@code gpt-4o-mini} can only resolve to
 * {@code gpt-4o-mini}, never to {@code gpt-4o}. Because the name as reported is tried first, a
 * dated snapshot priced differently from its family (e.g. {@code gpt-4o-2024-05-13}) or a
 * regional Bedrock profile priced at a premium keeps its own entry.
 *
 * <p>The provider narrows the search to that provider's entries (OpenTelemetry names such as
 * {@code aws.bedrock}, {@code gcp.gemini} and {@code azure.ai.openai} are understood; Azure
 * OpenAI falls back to OpenAI's list prices). With no provider, a name that belongs to exactly
 * one provider resolves. An unknown provider (e.g. {@code ollama}) resolves only through a
 * provider prefix in the model name, so a local model never borrows a cloud price.
 */
public final class ModelResolver {

  private static final Pattern GEO_PROFILE =
      Pattern.compile("^(us|eu|apac|jp|au|ca|us-gov|global)\\.(?=[a-z0-9-]+\\.)");
  private static final Pattern LATEST = Pattern.compile("[-@]latest$");
  private static final Pattern SNAPSHOT =
      Pattern.compile("(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8}|-\\d{3,4})$");
  private static final Map<String, List<String>> PROVIDER_FAMILIES = providerFamilies();

  /** Lower-case name → provider → catalog key. */
  private final Map<String, Map<String, String>> index;
  private final Map<String, String> deploymentAliases;

  private ModelResolver(Map<String, Map<String, String>> index,
      Map<String, String> deploymentAliases) {
    this.index = index;
    this.deploymentAliases = deploymentAliases;
  }

  /** A resolver over the names and aliases of {@code catalog}'s entries. */
  public static ModelResolver of(PriceCatalog catalog) {
    Map<String, Map<String, String>> index = new HashMap<>();
    for (ModelPrice m : catalog.models()) {
      index.computeIfAbsent(m.model(), k -> new LinkedHashMap<>()).putIfAbsent(m.provider(),
          m.key());
      for (String alias : m.aliases()) {
        index.computeIfAbsent(alias.toLowerCase(Locale.ROOT), k -> new LinkedHashMap<>())
            .putIfAbsent(m.provider(), m.key());
      }
    }
    return new ModelResolver(Collections.unmodifiableMap(index), Map.of());
  }

  /**
   * Returns a resolver that first maps deployment names (keys, case-insensitive) to model names
   * (values, e.g. {@code gpt-4o} or {@code openai/gpt-4o}) — for Azure OpenAI deployments whose
   * names say nothing about the model behind them.
   */
  public ModelResolver withDeploymentAliases(Map<String, String> aliases) {
    Map<String, String> m = new HashMap<>(deploymentAliases);
    aliases.forEach((k, v) -> m.put(k.trim().toLowerCase(Locale.ROOT),
        v.trim().toLowerCase(Locale.ROOT)));
    return new ModelResolver(index, Collections.unmodifiableMap(m));
  }

  /**
   * Resolves a reported model name.
   *
   * @param provider the provider as reported ({@code openai}, {@code aws.bedrock}, …), or null
   * @param model the model name as reported
   * @return the catalog key {@code provider/model}, or empty when the model is not in the
   *     catalog (the call is then unpriced)
   */
  public Optional<String> resolve(String provider, String model) {
    if (model == null || model.isBlank()) {
      return Optional.empty();
    }
    String name = model.trim().toLowerCase(Locale.ROOT);
    String deployed = deploymentAliases.get(name);
    if (deployed != null) {
      name = deployed;
    }
    List<String> hints = new ArrayList<>();
    int slash = name.lastIndexOf('/');
    List<String> names = new ArrayList<>();
    names.add(name);
    if (slash >= 0) {
      String prefix = name.substring(0, slash);
      if (prefix.startsWith("arn:aws:bedrock")) {
        hints.add("bedrock");
      } else {
        hints.addAll(List.of(prefix.split("/")));
      }
      // "groq/meta-llama/llama-4-scout…": the model's own name has a slash after the provider.
      int first = name.indexOf('/');
      if (first < slash && PROVIDER_FAMILIES.containsKey(name.substring(0, first))) {
        names.add(name.substring(first + 1));
      }
      name = name.substring(slash + 1);
      names.add(name);
    }
    name = GEO_PROFILE.matcher(name).replaceFirst("");
    names.add(name);
    name = LATEST.matcher(name).replaceFirst("");
    names.add(name);
    names.add(SNAPSHOT.matcher(name).replaceFirst(""));

    List<String> providers = new ArrayList<>(family(provider));
    for (String h : hints) {
      if (PROVIDER_FAMILIES.containsKey(h)) {
        providers.addAll(PROVIDER_FAMILIES.get(h));
      }
    }
    boolean anyProvider = providers.isEmpty();
    for (String n : new LinkedHashSet<>(names)) {
      Map<String, String> byProvider = index.get(n);
      if (byProvider == null) {
        continue;
      }
      for (String p : providers) {
        String key = byProvider.get(p);
        if (key != null) {
          return Optional.of(key);
        }
      }
      if (anyProvider && byProvider.size() == 1) {
        return Optional.of(byProvider.values().iterator().next());
      }
    }
    return Optional.empty();
  }

  /**
   * The provider name a catalog entry is filed under for a reported provider: {@code aws.bedrock}
   * → {@code bedrock}, {@code gcp.vertex_ai} → {@code vertex_ai}, {@code azure.ai.openai} →
   * {@code azure}; an unknown name stays itself (lower-cased).
   */
  public static String catalogProvider(String reported) {
    List<String> f = family(reported);
    return f.isEmpty() ? null : f.get(0);
  }

  private static List<String> family(String provider) {
    if (provider == null || provider.isBlank()) {
      return List.of();
    }
    String p = provider.trim().toLowerCase(Locale.ROOT);
    // A provider we have no synonyms for matches catalog entries under its own name only.
    return PROVIDER_FAMILIES.getOrDefault(p, List.of(p));
  }

  private static Map<String, List<String>> providerFamilies() {
    Map<String, List<String>> m = new HashMap<>();
    for (String p : Set.of("openai", "text-completion-openai")) {
      m.put(p, List.of("openai"));
    }
    for (String p : Set.of("azure", "azure.ai.openai", "az.ai.openai", "azure_openai",
        "azure-openai")) {
      m.put(p, List.of("azure", "openai"));
    }
    m.put("anthropic", List.of("anthropic"));
    for (String p : Set.of("gemini", "gcp.gemini", "google", "google_genai", "google-genai",
        "google_ai_studio", "googleai")) {
      m.put(p, List.of("gemini"));
    }
    for (String p : Set.of("vertex_ai", "vertexai", "gcp.vertex_ai", "vertex")) {
      m.put(p, List.of("vertex_ai", "gemini"));
    }
    for (String p : Set.of("bedrock", "aws.bedrock", "aws_bedrock", "amazon_bedrock",
        "bedrock_converse", "bedrock-runtime")) {
      m.put(p, List.of("bedrock"));
    }
    for (String p : Set.of("mistral", "mistral_ai", "mistralai")) {
      m.put(p, List.of("mistral"));
    }
    // OpenTelemetry gen_ai.provider.name values and LiteLLM's names for the other providers
    // the bundled catalog covers.
    for (String p : Set.of("azure_ai", "azure.ai.inference", "azure-ai", "azure_ai_foundry")) {
      m.put(p, List.of("azure_ai"));
    }
    m.put("gcp.gen_ai", List.of("gemini", "vertex_ai"));
    m.put("deepseek", List.of("deepseek"));
    for (String p : Set.of("xai", "x_ai", "x.ai", "grok")) {
      m.put(p, List.of("xai"));
    }
    for (String p : Set.of("cohere", "cohere_chat")) {
      m.put(p, List.of("cohere"));
    }
    m.put("groq", List.of("groq"));
    return Collections.unmodifiableMap(m);
  }
}
