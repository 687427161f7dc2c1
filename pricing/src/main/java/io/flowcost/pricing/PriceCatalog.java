package io.flowcost.pricing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, versioned price catalog: model prices with effective dates, per-call tool
 * prices and per-request HTTP rules.
 *
 * <p>Obtain one with {@link #bundled()} (the catalog shipped in this module's jar, which the
 * collector uses and the agent shades),
 * {@link #load(Path)} (a user's {@code --prices} file in Flowcost's format or a LiteLLM
 * model-cost map) or {@link #merged(PriceCatalog, PriceCatalog)}. The format is documented in
 * {@code docs/pricing.md}.
 */
public final class PriceCatalog {

  // Names relative to this class's package, so the agent's shading (which relocates the package
  // and its resources together) keeps finding them.
  static final String BUNDLED_RESOURCE = "prices.json";
  /** The bulk generated from LiteLLM's map by {@code scripts/generate-catalog.py}. */
  static final String GENERATED_RESOURCE = "prices-generated.json";

  private static volatile PriceCatalog bundled;

  private final String version;
  private final String origin;
  private final List<ModelPrice> models;
  private final List<ToolPrice> tools;
  private final List<HttpRule> httpRules;
  private final Map<String, List<ModelPrice>> byKey;
  private final ModelResolver resolver;
  private final Map<String, String> deploymentAliases;

  PriceCatalog(String version, String origin, List<ModelPrice> models, List<ToolPrice> tools,
      List<HttpRule> httpRules) {
    this(version, origin, models, tools, httpRules, Map.of());
  }

  PriceCatalog(String version, String origin, List<ModelPrice> models, List<ToolPrice> tools,
      List<HttpRule> httpRules, Map<String, String> deploymentAliases) {
    this.version = Objects.requireNonNull(version, "version");
    this.origin = origin;
    this.models = List.copyOf(models);
    this.tools = List.copyOf(tools);
    this.httpRules = List.copyOf(httpRules);
    Map<String, List<ModelPrice>> index = new LinkedHashMap<>();
    for (ModelPrice m : this.models) {
      index.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m);
    }
    index.replaceAll((k, v) -> List.copyOf(v));
    this.byKey = Collections.unmodifiableMap(index);
    this.deploymentAliases = Map.copyOf(deploymentAliases);
    this.resolver = ModelResolver.of(this).withDeploymentAliases(this.deploymentAliases);
  }

  /**
   * The bundled catalog: the curated {@code prices.json} laid over the
   * generated {@code prices-generated.json} (see {@link #curatedOver}). Its version is
   * {@code <curated version>+<generated version>}, e.g. {@code 2026-11-24.1+litellm-1.110.2}.
   *
   * @throws CatalogException if a bundled resource is missing or broken (a build error)
   */
  public static PriceCatalog bundled() {
    PriceCatalog c = bundled;
    if (c == null) {
      synchronized (PriceCatalog.class) {
        c = bundled;
        if (c == null) {
          c = curatedOver(resource(GENERATED_RESOURCE, "bundled:prices-generated.json"),
              resource(BUNDLED_RESOURCE, "bundled:prices.json"));
          bundled = c;
        }
      }
    }
    return c;
  }

  /** The curated entries alone (the hand-checked {@code prices.json}). */
  static PriceCatalog bundledCurated() {
    return resource(BUNDLED_RESOURCE, "bundled:prices.json");
  }

  /** The generated entries alone ({@code prices-generated.json}). */
  public static PriceCatalog bundledGenerated() {
    return resource(GENERATED_RESOURCE, "bundled:prices-generated.json");
  }

  private static PriceCatalog resource(String path, String name) {
    try (InputStream in = PriceCatalog.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new CatalogException(path, 0, "resource not found", null);
      }
      return parse(in.readAllBytes(), name);
    } catch (IOException e) {
      throw new CatalogException(path, 0, "cannot read", e);
    }
  }

  /**
   * Lays curated entries over generated ones. Unlike {@link #merged}, a generated entry is
   * dropped whenever one of its names is a name or alias of a curated entry — of the same
   * provider, of the provider it falls back to ({@code azure} → {@code openai},
   * {@code vertex_ai} → {@code gemini}), or for Bedrock without a {@code global.} prefix. The
   * curated entry wins by name: {@code claude-sonnet-4-5-20250929} (a curated alias) never
   * resolves to LiteLLM's own key for that snapshot, Azure's {@code gpt-4o} keeps OpenAI's list
   * price, and {@code global.} profiles bill the curated in-region price. {@code scripts/generate-catalog.py} applies the same rule, so this only matters
   * when {@code prices.json} gains a name before the catalog is regenerated. Tools, HTTP rules
   * and deployment aliases come from the curated catalog.
   */
  static PriceCatalog curatedOver(PriceCatalog generated, PriceCatalog curated) {
    Set<String> curatedNames = curatedNames(curated);
    List<ModelPrice> models = new ArrayList<>();
    for (ModelPrice m : generated.models) {
      if (!shadowedByCurated(m, curatedNames)) {
        models.add(m);
      }
    }
    models.addAll(curated.models);
    return new PriceCatalog(curated.version + "+" + generated.version,
        curated.origin + " + " + generated.origin, models, curated.tools, curated.httpRules,
        curated.deploymentAliases);
  }

  /** The providers the bundled catalog is generated for (as in scripts/generate-catalog.py). */
  public static final Set<String> GENERATED_PROVIDERS = Set.of("openai", "anthropic", "gemini",
      "vertex_ai", "bedrock", "azure", "azure_ai", "mistral", "deepseek", "xai", "cohere", "groq");

  /**
   * Reads a (newer) LiteLLM model-cost map the way the bundled catalog is generated: the
   * {@link #GENERATED_PROVIDERS}, models not past their deprecation date on {@code asOf}, no
   * per-region keys, and without the names the curated entries own (they keep winning).
   *
   * @throws CatalogException naming {@code name}, the line and the entry at fault
   */
  public static PriceCatalog liteLlmSelection(byte[] json, String name, LocalDate asOf) {
    JsonTree.Node root = JsonTree.parse(new ByteArrayInputStream(json), name);
    String hash = sha256Prefix(json);
    PriceCatalog all = CatalogParser.parseLiteLlmSelected(root, name, hash, asOf,
        GENERATED_PROVIDERS);
    PriceCatalog curated = bundledCurated();
    Set<String> curatedNames = curatedNames(curated);
    List<ModelPrice> kept = all.models.stream()
        .filter(m -> !shadowedByCurated(m, curatedNames)).toList();
    if (kept.isEmpty()) {
      throw new CatalogException(name, 1, "no current chat or embedding model of "
          + new java.util.TreeSet<>(GENERATED_PROVIDERS) + " in this LiteLLM map", null);
    }
    return new PriceCatalog("litellm-" + hash, name, kept, List.of(), List.of());
  }

  private static Set<String> curatedNames(PriceCatalog curated) {
    Set<String> names = new java.util.HashSet<>();
    for (ModelPrice m : curated.models) {
      names.add(m.key());
      m.aliases().forEach(a -> names.add(m.provider() + "/" + a.toLowerCase(Locale.ROOT)));
    }
    return names;
  }

  private static final Map<String, List<String>> CURATED_FALLBACK =
      Map.of("azure", List.of("openai"), "vertex_ai", List.of("gemini"));
  /**
   * Bedrock's {@code global.} profile bills the in-region price; the geographic profiles carry
   * their own premiums, so only an exact curated name shadows them.
   */
  private static final java.util.regex.Pattern GLOBAL_PROFILE =
      java.util.regex.Pattern.compile("^global\\.(?=[a-z0-9-]+\\.)");

  private static boolean shadowedByCurated(ModelPrice m, Set<String> curatedNames) {
    List<String> names = new ArrayList<>();
    names.add(m.model());
    m.aliases().forEach(a -> names.add(a.toLowerCase(Locale.ROOT)));
    if ("bedrock".equals(m.provider())) {
      names.add(GLOBAL_PROFILE.matcher(m.model()).replaceFirst(""));
    }
    List<String> providers = new ArrayList<>();
    providers.add(m.provider());
    providers.addAll(CURATED_FALLBACK.getOrDefault(m.provider(), List.of()));
    for (String p : providers) {
      for (String n : names) {
        if (curatedNames.contains(p + "/" + n)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Loads a catalog file: Flowcost's format or a LiteLLM model-cost map, told apart by shape.
   *
   * @throws CatalogException naming the file, the line and the problem
   */
  public static PriceCatalog load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CatalogException(file.toString(), 0,
          "cannot read the file (" + e.getClass().getSimpleName() + ")", e);
    }
    return parse(bytes, file.toString());
  }

  /**
   * Parses catalog JSON.
   *
   * @param json the file's bytes (UTF-8)
   * @param name the name used in error messages
   * @throws CatalogException naming {@code name}, the line and the problem
   */
  public static PriceCatalog parse(byte[] json, String name) {
    JsonTree.Node root = JsonTree.parse(new ByteArrayInputStream(json), name);
    return CatalogParser.parse(root, name, sha256Prefix(json));
  }

  /**
   * Returns {@code base} with {@code override} laid over it: every {@code provider/model} the
   * override lists replaces all of the base's entries for it (their whole price history), new
   * ones are added; override tools replace base tools of the same name; override HTTP rules are
   * tried before the base's. The version is {@code base.version + "+" + override.version}.
   */
  public static PriceCatalog merged(PriceCatalog base, PriceCatalog override) {
    Set<String> overridden = new LinkedHashSet<>(override.byKey.keySet());
    List<ModelPrice> models = new ArrayList<>();
    for (ModelPrice m : base.models) {
      if (!overridden.contains(m.key())) {
        models.add(m);
      }
    }
    models.addAll(override.models);
    Set<String> overriddenTools = new LinkedHashSet<>();
    override.tools.forEach(t -> overriddenTools.add(t.name()));
    List<ToolPrice> tools = new ArrayList<>(override.tools);
    base.tools.stream().filter(t -> !overriddenTools.contains(t.name())).forEach(tools::add);
    List<HttpRule> rules = new ArrayList<>(override.httpRules);
    rules.addAll(base.httpRules);
    Map<String, String> aliases = new LinkedHashMap<>(base.deploymentAliases);
    aliases.putAll(override.deploymentAliases);
    return new PriceCatalog(base.version + "+" + override.version,
        base.origin + " + " + override.origin, models, tools, rules, aliases);
  }

  /** The catalog version recorded on every priced row (e.g. {@code 2026-11-24.1}). */
  public String version() {
    return version;
  }

  /** Where the catalog came from (file name or {@code bundled:prices.json}). */
  public String origin() {
    return origin;
  }

  /** All model entries, in file order. */
  public List<ModelPrice> models() {
    return models;
  }

  /** All tool prices. */
  public List<ToolPrice> tools() {
    return tools;
  }

  /** All HTTP rules, in matching order. */
  public List<HttpRule> httpRules() {
    return httpRules;
  }

  /** Azure deployment name → model ({@code deployment_aliases}), in file order. */
  public Map<String, String> deploymentAliases() {
    return deploymentAliases;
  }

  /** The resolver for this catalog's model names, with the file's {@code deployment_aliases}. */
  public ModelResolver resolver() {
    return resolver;
  }

  /** All entries (price history) of a {@code provider/model} key; empty when unknown. */
  public List<ModelPrice> entries(String key) {
    return byKey.getOrDefault(key.toLowerCase(Locale.ROOT), List.of());
  }

  /** The entry of {@code key} in force at {@code at}, if any. */
  public Optional<ModelPrice> entryAt(String key, Instant at) {
    ModelPrice found = null;
    for (ModelPrice m : entries(key)) {
      if (m.inForceAt(at)) {
        found = m;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The price of tool {@code name} in force at {@code at}, if any. */
  public Optional<ToolPrice> toolAt(String name, Instant at) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return tools.stream().filter(t -> t.name().equals(n) && t.inForceAt(at)).findFirst();
  }

  /** The first HTTP rule in force at {@code at} that matches {@code host} and {@code path}. */
  public Optional<HttpRule> httpRuleAt(String host, String path, Instant at) {
    return httpRules.stream().filter(r -> r.matches(host, path, at)).findFirst();
  }

  @Override
  public String toString() {
    return "PriceCatalog{version=" + version + ", origin=" + origin + ", models=" + models.size()
        + ", tools=" + tools.size() + ", httpRules=" + httpRules.size() + '}';
  }

  private static String sha256Prefix(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
