package io.flowcost.pricing;

import io.flowcost.pricing.JsonTree.Kind;
import io.flowcost.pricing.JsonTree.Node;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads Flowcost's own catalog format and LiteLLM's model-cost map (detected by shape). */
final class CatalogParser {

  private static final Set<String> MODEL_FIELDS = Set.of("provider", "model", "aliases", "kind",
      "effective_from", "effective_to", "source", "source_date", "input", "cache_read",
      "cache_write_5m", "cache_write_1h", "output", "per_call", "tiers", "service_tiers", "note",
      "source_key");
  private static final Set<String> PRICE_FIELDS = Set.of("input", "cache_read", "cache_write_5m",
      "cache_write_1h", "output", "per_call");
  private static final Set<String> LITELLM_MODES = Set.of("chat", "completion", "responses",
      "embedding");
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private final String file;

  private CatalogParser(String file) {
    this.file = file;
  }

  static PriceCatalog parse(Node root, String file, String contentHash) {
    return new CatalogParser(file).parseRoot(root, contentHash);
  }

  private PriceCatalog parseRoot(Node root, String contentHash) {
    if (!root.isObject()) {
      throw error(root, "the catalog must be a JSON object");
    }
    if (root.get("models") != null || root.get("version") != null) {
      return parseFlowcost(root);
    }
    for (Node v : root.fields.values()) {
      if (v.isObject() && (v.get("litellm_provider") != null
          || v.get("input_cost_per_token") != null)) {
        return parseLiteLlm(root, contentHash);
      }
    }
    throw error(root, "not a price catalog: expected a Flowcost catalog (\"version\", \"models\")"
        + " or a LiteLLM model-cost map (objects with \"input_cost_per_token\")");
  }

  // ---------------------------------------------------------------- Flowcost format

  private PriceCatalog parseFlowcost(Node root) {
    for (String f : root.fields.keySet()) {
      if (!Set.of("version", "currency", "unit", "description", "models", "tools", "http_rules",
          "deployment_aliases").contains(f)) {
        throw error(root.get(f), "unknown top-level field '" + f + "'");
      }
    }
    String version = requiredString(root, "version", "catalog");
    String currency = optionalString(root, "currency", "catalog");
    if (currency != null && !"USD".equals(currency)) {
      throw error(root.get("currency"), "currency must be USD, not '" + currency + "'");
    }
    String unit = optionalString(root, "unit", "catalog");
    if (unit != null && !"per_million_tokens".equals(unit)) {
      throw error(root.get("unit"), "unit must be per_million_tokens, not '" + unit + "'");
    }
    List<ModelPrice> models = new ArrayList<>();
    List<Node> modelNodes = array(root, "models", "catalog");
    for (int i = 0; i < modelNodes.size(); i++) {
      models.add(parseModel(modelNodes.get(i), "models[" + i + "]"));
    }
    checkOverlaps(models, modelNodes);
    List<ToolPrice> tools = new ArrayList<>();
    List<Node> toolNodes = array(root, "tools", "catalog");
    for (int i = 0; i < toolNodes.size(); i++) {
      tools.add(parseTool(toolNodes.get(i), "tools[" + i + "]"));
    }
    List<HttpRule> rules = new ArrayList<>();
    List<Node> ruleNodes = array(root, "http_rules", "catalog");
    for (int i = 0; i < ruleNodes.size(); i++) {
      rules.add(parseRule(ruleNodes.get(i), "http_rules[" + i + "]"));
    }
    return new PriceCatalog(version, file, models, tools, rules, deploymentAliases(root));
  }

  /** {@code "deployment_aliases": {"prod-chat": "openai/gpt-4o-mini", …}}: Azure deployments. */
  private Map<String, String> deploymentAliases(Node root) {
    Node n = root.get("deployment_aliases");
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw error(n, "deployment_aliases must be an object of deployment name → model");
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Node> e : n.fields.entrySet()) {
      Node v = e.getValue();
      if (v.kind != Kind.STRING || v.text.isBlank()) {
        throw error(v, "deployment_aliases." + e.getKey() + " must name a model, e.g. \"gpt-4o-mini\"");
      }
      out.put(e.getKey(), v.text);
    }
    return out;
  }

  private ModelPrice parseModel(Node n, String where) {
    if (!n.isObject()) {
      throw error(n, where + " must be an object");
    }
    String provider = requiredString(n, "provider", where);
    String model = requiredString(n, "model", where);
    String ctx = where + " (" + provider + "/" + model + ")";
    for (String f : n.fields.keySet()) {
      if (!MODEL_FIELDS.contains(f)) {
        throw error(n.get(f), ctx + ": unknown field '" + f + "'");
      }
    }
    ModelPrice.Builder b = ModelPrice.builder()
        .provider(provider)
        .model(model)
        .kind(optionalString(n, "kind", ctx))
        .effectiveFrom(instant(n, "effective_from", ctx))
        .effectiveTo(instant(n, "effective_to", ctx))
        .source(optionalString(n, "source", ctx))
        .sourceDate(date(n, "source_date", ctx))
        .prices(prices(n, ctx, true));
    for (Node a : array(n, "aliases", ctx)) {
      if (a.kind != Kind.STRING || a.text.isBlank()) {
        throw error(a, ctx + ": aliases must be non-empty strings");
      }
      b.addAlias(a.text);
    }
    List<Node> tiers = array(n, "tiers", ctx);
    for (int i = 0; i < tiers.size(); i++) {
      Node t = tiers.get(i);
      String tctx = ctx + ".tiers[" + i + "]";
      if (!t.isObject()) {
        throw error(t, tctx + " must be an object");
      }
      for (String f : t.fields.keySet()) {
        if (!"above_input_tokens".equals(f) && !"service_tiers".equals(f)
            && !PRICE_FIELDS.contains(f)) {
          throw error(t.get(f), tctx + ": unknown field '" + f + "'");
        }
      }
      Node above = t.get("above_input_tokens");
      if (above == null || above.kind != Kind.NUMBER) {
        throw error(above == null ? t : above, tctx + ": 'above_input_tokens' (a whole number)"
            + " is required");
      }
      long threshold;
      try {
        threshold = new BigDecimal(above.text).longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw error(above, tctx + ": 'above_input_tokens' must be a whole number");
      }
      b.addTier(new ModelPrice.Tier(threshold, prices(t, tctx, true),
          serviceTiers(t.get("service_tiers"), tctx)));
    }
    serviceTiers(n.get("service_tiers"), ctx).forEach(b::serviceTier);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw error(n, ctx + ": " + e.getMessage());
    }
  }

  /** {@code "service_tiers": {"batch": {"multiplier": "0.5"}, "priority": {prices}}}. */
  private Map<String, ModelPrice.ServiceTier> serviceTiers(Node st, String ctx) {
    Map<String, ModelPrice.ServiceTier> out = new LinkedHashMap<>();
    if (st == null || st.isNull()) {
      return out;
    }
    if (!st.isObject()) {
      throw error(st, ctx + ": 'service_tiers' must be an object");
    }
    for (Map.Entry<String, Node> e : st.fields.entrySet()) {
      String sctx = ctx + ".service_tiers." + e.getKey();
      Node s = e.getValue();
      if (!s.isObject()) {
        throw error(s, sctx + " must be an object");
      }
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!Set.of("batch", "flex", "priority").contains(name)) {
        throw error(s, sctx + ": unknown service tier (expected batch, flex or priority)");
      }
      if (s.get("multiplier") != null) {
        if (s.fields.size() != 1) {
          throw error(s, sctx + ": give either 'multiplier' or prices, not both");
        }
        out.put(name, ModelPrice.ServiceTier.multiplier(decimal(s, "multiplier", sctx)));
      } else {
        for (String f : s.fields.keySet()) {
          if (!PRICE_FIELDS.contains(f)) {
            throw error(s.get(f), sctx + ": unknown field '" + f + "'");
          }
        }
        out.put(name, ModelPrice.ServiceTier.prices(prices(s, sctx, true)));
      }
    }
    return out;
  }

  private void checkOverlaps(List<ModelPrice> models, List<Node> nodes) {
    Map<String, Integer> aliasOwner = new HashMap<>();
    // earlier entries per key: comparing each entry with its own key's only (not with all
    // earlier entries) keeps a catalog of ~800 models from costing seconds on a busy machine
    Map<String, List<Integer>> earlierOfKey = new HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      ModelPrice m = models.get(i);
      List<Integer> earlier = earlierOfKey.computeIfAbsent(m.key(), k -> new ArrayList<>());
      for (int j : earlier) {
        ModelPrice o = models.get(j);
        if (overlaps(o, m)) {
          throw error(nodes.get(i), "models[" + i + "] (" + m.key() + "): effective period"
              + " overlaps models[" + j + "]");
        }
      }
      earlier.add(i);
      for (String name : names(m)) {
        String aliasKey = m.provider() + "/" + name;
        Integer owner = aliasOwner.putIfAbsent(aliasKey, i);
        if (owner != null && !models.get(owner).key().equals(m.key())) {
          throw error(nodes.get(i), "models[" + i + "] (" + m.key() + "): name '" + name
              + "' already belongs to " + models.get(owner).key());
        }
      }
    }
  }

  private static List<String> names(ModelPrice m) {
    List<String> names = new ArrayList<>();
    names.add(m.model());
    for (String a : m.aliases()) {
      names.add(a.toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static boolean overlaps(ModelPrice a, ModelPrice b) {
    boolean aEndsBeforeB = a.effectiveTo() != null && b.effectiveFrom() != null
        && !a.effectiveTo().isAfter(b.effectiveFrom());
    boolean bEndsBeforeA = b.effectiveTo() != null && a.effectiveFrom() != null
        && !b.effectiveTo().isAfter(a.effectiveFrom());
    return !aEndsBeforeB && !bEndsBeforeA;
  }

  private ToolPrice parseTool(Node n, String where) {
    if (!n.isObject()) {
      throw error(n, where + " must be an object");
    }
    for (String f : n.fields.keySet()) {
      if (!Set.of("name", "per_call", "effective_from", "effective_to", "source", "source_date",
          "note").contains(f)) {
        throw error(n.get(f), where + ": unknown field '" + f + "'");
      }
    }
    String name = requiredString(n, "name", where);
    date(n, "source_date", where);
    try {
      return new ToolPrice(name, decimal(n, "per_call", where + " (" + name + ")"),
          instant(n, "effective_from", where), instant(n, "effective_to", where),
          optionalString(n, "source", where));
    } catch (IllegalArgumentException e) {
      throw error(n, where + ": " + e.getMessage());
    }
  }

  private HttpRule parseRule(Node n, String where) {
    if (!n.isObject()) {
      throw error(n, where + " must be an object");
    }
    for (String f : n.fields.keySet()) {
      if (!Set.of("host", "path", "per_request", "effective_from", "effective_to", "source",
          "source_date", "note").contains(f)) {
        throw error(n.get(f), where + ": unknown field '" + f + "'");
      }
    }
    date(n, "source_date", where);
    try {
      return new HttpRule(requiredString(n, "host", where), optionalString(n, "path", where),
          decimal(n, "per_request", where), instant(n, "effective_from", where),
          instant(n, "effective_to", where), optionalString(n, "source", where));
    } catch (IllegalArgumentException e) {
      throw error(n, where + ": " + e.getMessage());
    }
  }

  private Prices prices(Node n, String ctx, boolean inputRequired) {
    Prices.Builder p = Prices.builder()
        .input(inputRequired ? decimal(n, "input", ctx) : optionalDecimal(n, "input", ctx))
        .cacheRead(optionalDecimal(n, "cache_read", ctx))
        .cacheWrite5m(optionalDecimal(n, "cache_write_5m", ctx))
        .cacheWrite1h(optionalDecimal(n, "cache_write_1h", ctx))
        .output(optionalDecimal(n, "output", ctx))
        .perCall(optionalDecimal(n, "per_call", ctx));
    try {
      return p.build();
    } catch (IllegalArgumentException e) {
      throw error(n, ctx + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- LiteLLM format

  /**
   * LiteLLM price fields Flowcost maps: a stem, an optional context tier {@code _above_Nk_tokens}
   * and an optional service tier. {@code scripts/generate-catalog.py} maps the same way (its
   * output is cross-checked against this parser by {@code LiteLlmGeneratedCatalogTest}).
   */
  private static final java.util.regex.Pattern LITELLM_PRICE = java.util.regex.Pattern.compile(
      "^(input_cost_per_token|cache_read_input_token_cost"
          + "|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost"
          + "|output_cost_per_token)(?:_above_(\\d+)k_tokens)?(?:_(batches|flex|priority))?$");
  private static final Map<String, String> LITELLM_SERVICE_TIERS =
      Map.of("batches", "batch", "flex", "flex", "priority", "priority");
  /** Key prefixes that name a provider and are dropped from the model name. */
  private static final Set<String> LITELLM_KEY_PREFIXES = Set.of("openai", "anthropic", "gemini",
      "bedrock", "azure", "azure_ai", "mistral", "deepseek", "xai", "cohere", "cohere_chat",
      "groq", "vertex_ai", "text-completion-openai");

  /**
   * Reads a LiteLLM map keeping only what {@code scripts/generate-catalog.py} selects: the
   * given Flowcost providers, entries not past their {@code deprecation_date} on {@code asOf},
   * no per-region or commitment keys ({@code bedrock/us-east-1/…}, {@code azure/eu/…}). Each
   * entry's source is {@code litellm-<hash>}.
   */
  static PriceCatalog parseLiteLlmSelected(Node root, String file, String contentHash,
      LocalDate asOf, Set<String> providers) {
    CatalogParser p = new CatalogParser(file);
    if (!root.isObject()) {
      throw p.error(root, "a LiteLLM model-cost map must be a JSON object");
    }
    return p.parseLiteLlm(root, contentHash, (mp, v) -> {
      if (!providers.contains(mp.provider())) {
        return false;
      }
      Node dep = v.get("deprecation_date");
      if (dep != null && dep.kind == Kind.STRING && dep.text.compareTo(asOf.toString()) < 0) {
        return false;
      }
      return !(mp.model().contains("/")
          && (mp.provider().equals("bedrock") || mp.provider().equals("azure")));
    });
  }

  private PriceCatalog parseLiteLlm(Node root, String contentHash) {
    return parseLiteLlm(root, contentHash, (mp, v) -> true);
  }

  private PriceCatalog parseLiteLlm(Node root, String contentHash,
      java.util.function.BiPredicate<ModelPrice, Node> keep) {
    Map<String, ModelPrice> byKey = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : root.fields.entrySet()) {
      String key = e.getKey();
      Node v = e.getValue();
      if ("sample_spec".equals(key) || !v.isObject() || v.get("input_cost_per_token") == null) {
        continue; // image/audio/rerank models are priced per image, second or query
      }
      String mode = optionalString(v, "mode", key);
      if (mode != null && !LITELLM_MODES.contains(mode)) {
        continue;
      }
      String ctx = "'" + key + "'";
      ModelPrice mp = liteLlmEntry(key, v, ctx, "embedding".equals(mode) ? "embedding" : "chat",
          "litellm-" + contentHash);
      if (keep.test(mp, v)) {
        byKey.putIfAbsent(mp.key(), mp);
      }
    }
    if (byKey.isEmpty()) {
      throw error(root, "LiteLLM model-cost map without any priced chat or embedding model");
    }
    return new PriceCatalog("litellm-" + contentHash, file, List.copyOf(byKey.values()),
        List.of(), List.of());
  }

  private ModelPrice liteLlmEntry(String key, Node v, String ctx, String kind, String source) {
    String provider = liteLlmProvider(optionalString(v, "litellm_provider", ctx));
    String model = key;
    int slash = key.indexOf('/');
    if (slash > 0 && LITELLM_KEY_PREFIXES.contains(key.substring(0, slash).toLowerCase(Locale.ROOT))) {
      model = key.substring(slash + 1);
    }
    if (provider == null) {
      provider = slash > 0 ? liteLlmProvider(key.substring(0, slash)) : "unknown";
    }
    // Which context tiers (thousands of tokens) and service tiers the entry prices.
    java.util.TreeMap<Integer, Set<String>> tiers = new java.util.TreeMap<>();
    Set<String> serviceTiers = new java.util.TreeSet<>();
    for (String f : v.fields.keySet()) {
      java.util.regex.Matcher m = LITELLM_PRICE.matcher(f);
      if (!m.matches()) {
        continue;
      }
      if (m.group(2) != null) {
        Set<String> s = tiers.computeIfAbsent(Integer.parseInt(m.group(2)),
            k -> new java.util.TreeSet<>());
        if (m.group(3) != null) {
          s.add(m.group(3));
        }
      } else if (m.group(3) != null) {
        serviceTiers.add(m.group(3));
      }
    }
    Prices base = liteLlmPrices(v, ctx, "", null);
    ModelPrice.Builder b = ModelPrice.builder()
        .provider(provider)
        .model(model)
        .kind(kind)
        .source(source)
        .prices(base);
    if (!model.equals(key)) {
      b.addAlias(key);
    }
    for (Map.Entry<Integer, Set<String>> t : tiers.entrySet()) {
      String suffix = "_above_" + t.getKey() + "k_tokens";
      // A price the tier leaves out is the standard one, as LiteLLM's cost calculator does.
      Prices tp = liteLlmPrices(v, ctx, suffix, base.input()).orElse(base); // fee included
      Map<String, ModelPrice.ServiceTier> tst = new LinkedHashMap<>();
      for (String st : t.getValue()) {
        tst.put(LITELLM_SERVICE_TIERS.get(st), ModelPrice.ServiceTier.prices(
            liteLlmPrices(v, ctx, suffix + "_" + st, tp.input())));
      }
      b.addTier(new ModelPrice.Tier(t.getKey() * 1000L, tp, tst));
    }
    for (String st : serviceTiers) {
      b.serviceTier(LITELLM_SERVICE_TIERS.get(st),
          ModelPrice.ServiceTier.prices(liteLlmPrices(v, ctx, "_" + st, base.input())));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException ex) {
      throw error(v, ctx + ": " + ex.getMessage());
    }
  }

  /**
   * Per-token LiteLLM prices with an optional key suffix, converted exactly to per-million.
   *
   * @param inputFallback the input price when the suffix has none (a tier that only lowers the
   *     cache-read price); null only for the standard prices, whose input is required
   */
  private Prices liteLlmPrices(Node v, String ctx, String suffix, BigDecimal inputFallback) {
    BigDecimal input = perMillion(v, "input_cost_per_token", suffix, ctx);
    Prices.Builder p = Prices.builder()
        .input(input != null ? input : inputFallback)
        .cacheRead(perMillion(v, "cache_read_input_token_cost", suffix, ctx))
        .cacheWrite5m(perMillion(v, "cache_creation_input_token_cost", suffix, ctx))
        // LiteLLM names the 1-hour write "..._above_1hr"; combined with a context tier it is
        // "cache_creation_input_token_cost_above_1hr_above_200k_tokens".
        .cacheWrite1h(perMillion(v, "cache_creation_input_token_cost_above_1hr", suffix, ctx))
        .output(perMillion(v, "output_cost_per_token", suffix, ctx));
    if (suffix.isEmpty() && v.get("input_cost_per_request") != null) {
      BigDecimal fee = decimal(v, "input_cost_per_request", ctx);
      if (fee.signum() != 0) {
        p.perCall(fee.stripTrailingZeros());
      }
    }
    try {
      return withoutCheapWrites(p.build());
    } catch (IllegalArgumentException ex) {
      throw error(v, ctx + ": " + ex.getMessage());
    }
  }

  /**
   * A cache write is never cheaper than an uncached input token at any provider; where LiteLLM
   * lists one below the input price (0 for DeepSeek, Gemini 3 on Vertex) the field means
   * something else there, so it is dropped and such tokens are billed as input.
   */
  private static Prices withoutCheapWrites(Prices p) {
    boolean cheap5m = p.cacheWrite5m() != null && p.cacheWrite5m().compareTo(p.input()) < 0;
    boolean cheap1h = p.cacheWrite1h() != null && p.cacheWrite1h().compareTo(p.input()) < 0;
    if (!cheap5m && !cheap1h) {
      return p;
    }
    return Prices.builder().input(p.input()).cacheRead(p.cacheRead())
        .cacheWrite5m(cheap5m ? null : p.cacheWrite5m())
        .cacheWrite1h(cheap1h ? null : p.cacheWrite1h())
        .output(p.output()).perCall(p.perCall()).build();
  }

  private BigDecimal perMillion(Node v, String field, String suffix, String ctx) {
    BigDecimal perToken = optionalDecimal(v, field + suffix, ctx);
    return perToken == null ? null : perToken.multiply(MILLION).stripTrailingZeros();
  }

  /**
   * LiteLLM's {@code litellm_provider} as a Flowcost provider name (the names
   * {@link ModelResolver} knows): {@code bedrock_converse} → {@code bedrock},
   * {@code vertex_ai-anthropic_models} → {@code vertex_ai}, {@code cohere_chat} → {@code cohere}.
   */
  static String liteLlmProvider(String p) {
    if (p == null) {
      return null;
    }
    String s = p.toLowerCase(Locale.ROOT);
    if (s.equals("text-completion-openai")) {
      return "openai";
    }
    if (s.equals("bedrock") || s.equals("bedrock_converse")) {
      return "bedrock";
    }
    if (s.startsWith("vertex_ai")) {
      return "vertex_ai";
    }
    if (s.equals("cohere_chat")) {
      return "cohere";
    }
    if (s.equals("azure_text")) {
      return "azure";
    }
    return s;
  }

  // ---------------------------------------------------------------- helpers

  private CatalogException error(Node at, String problem) {
    return new CatalogException(file, at == null ? 0 : at.line, problem, null);
  }

  private String requiredString(Node obj, String field, String ctx) {
    String s = optionalString(obj, field, ctx);
    if (s == null || s.isBlank()) {
      throw error(obj.get(field) == null ? obj : obj.get(field),
          ctx + ": '" + field + "' is required");
    }
    return s;
  }

  private String optionalString(Node obj, String field, String ctx) {
    Node n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.kind != Kind.STRING) {
      throw error(n, ctx + ": '" + field + "' must be a string");
    }
    return n.text;
  }

  private List<Node> array(Node obj, String field, String ctx) {
    Node n = obj.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (n.kind != Kind.ARRAY) {
      throw error(n, ctx + ": '" + field + "' must be an array");
    }
    return n.items;
  }

  private BigDecimal decimal(Node obj, String field, String ctx) {
    BigDecimal d = optionalDecimal(obj, field, ctx);
    if (d == null) {
      throw error(obj, ctx + ": '" + field + "' is required");
    }
    return d;
  }

  private BigDecimal optionalDecimal(Node obj, String field, String ctx) {
    Node n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.kind != Kind.STRING && n.kind != Kind.NUMBER) {
      throw error(n, ctx + ": '" + field + "' must be a decimal string such as \"2.50\"");
    }
    BigDecimal d;
    try {
      d = new BigDecimal(n.text.trim());
    } catch (NumberFormatException e) {
      throw error(n, ctx + ": '" + field + "' is not a decimal number: \"" + n.text + "\"");
    }
    if (d.signum() < 0) {
      throw error(n, ctx + ": '" + field + "' must not be negative");
    }
    return d;
  }

  private Instant instant(Node obj, String field, String ctx) {
    String s = optionalString(obj, field, ctx);
    if (s == null) {
      return null;
    }
    try {
      return s.length() == 10
          ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw error(obj.get(field), ctx + ": '" + field + "' must be a date (YYYY-MM-DD, UTC) or"
          + " an ISO-8601 instant, not \"" + s + "\"");
    }
  }

  private LocalDate date(Node obj, String field, String ctx) {
    String s = optionalString(obj, field, ctx);
    if (s == null) {
      return null;
    }
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw error(obj.get(field), ctx + ": '" + field + "' must be a date (YYYY-MM-DD), not \""
          + s + "\"");
    }
  }
}
