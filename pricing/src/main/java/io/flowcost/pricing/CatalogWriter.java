package io.flowcost.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Writes model entries in Flowcost's catalog format (docs/pricing.md), one entry per line, so
 * that an overlay written by {@code prices import} reads back to the same prices and diffs well.
 */
public final class CatalogWriter {

  private static final JsonFactory FACTORY = new JsonFactory();

  private CatalogWriter() {}

  /**
   * The catalog's models as a Flowcost catalog file.
   *
   * @param catalog the entries to write (tools and HTTP rules are not written)
   * @param version the file's {@code version}
   * @param description free text recorded in the file
   */
  public static String toJson(PriceCatalog catalog, String version, String description) {
    return models(catalog, version, description).append("\n}\n").toString();
  }

  /** The file up to the end of its {@code models} array, object still open. */
  private static StringBuilder models(PriceCatalog catalog, String version, String description) {
    StringBuilder out = new StringBuilder();
    out.append("{\n  \"version\": ").append(string(version))
        .append(",\n  \"currency\": \"USD\",\n  \"unit\": \"per_million_tokens\",\n")
        .append("  \"description\": ").append(string(description))
        .append(",\n  \"models\": [\n");
    for (int i = 0; i < catalog.models().size(); i++) {
      out.append("    ").append(entry(catalog.models().get(i)))
          .append(i + 1 < catalog.models().size() ? ",\n" : "\n");
    }
    return out.append("  ]");
  }

  /**
   * The whole catalog — models, tools, HTTP rules and deployment aliases — as a Flowcost catalog
   * file that {@link PriceCatalog#parse} reads back to the same prices and the same resolution
   * (what the collector serves at {@code GET /v1/prices} and the agent prices with).
   *
   * @param catalog the catalog to write; its {@link PriceCatalog#version()} is the file's version
   */
  public static String toJson(PriceCatalog catalog) {
    // no origin in the description: it would name the collector's files to every client
    StringBuilder out = models(catalog, catalog.version(), "the effective Flowcost price catalog");
    out.append(",\n  \"tools\": [");
    for (int i = 0; i < catalog.tools().size(); i++) {
      ToolPrice t = catalog.tools().get(i);
      out.append(i == 0 ? "\n    " : ",\n    ").append(write(g -> {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("per_call", plain(t.perCall()));
        instant(g, "effective_from", t.effectiveFrom());
        instant(g, "effective_to", t.effectiveTo());
        if (t.source() != null) {
          g.writeStringField("source", t.source());
        }
        g.writeEndObject();
      }));
    }
    out.append(catalog.tools().isEmpty() ? "]" : "\n  ]").append(",\n  \"http_rules\": [");
    for (int i = 0; i < catalog.httpRules().size(); i++) {
      HttpRule r = catalog.httpRules().get(i);
      out.append(i == 0 ? "\n    " : ",\n    ").append(write(g -> {
        g.writeStartObject();
        g.writeStringField("host", r.host());
        g.writeStringField("path", r.path());
        g.writeStringField("per_request", plain(r.perRequest()));
        instant(g, "effective_from", r.effectiveFrom());
        instant(g, "effective_to", r.effectiveTo());
        if (r.source() != null) {
          g.writeStringField("source", r.source());
        }
        g.writeEndObject();
      }));
    }
    out.append(catalog.httpRules().isEmpty() ? "]" : "\n  ]").append(",\n  \"deployment_aliases\": ")
        .append(write(g -> {
          g.writeStartObject();
          for (Map.Entry<String, String> e : catalog.deploymentAliases().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
        }));
    return out.append("\n}\n").toString();
  }

  private static void instant(JsonGenerator g, String name, java.time.Instant at)
      throws IOException {
    if (at != null) {
      g.writeStringField(name, at.toString());
    }
  }

  private static String entry(ModelPrice m) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("provider", m.provider());
      g.writeStringField("model", m.model());
      if (!m.aliases().isEmpty()) {
        g.writeArrayFieldStart("aliases");
        for (String a : m.aliases()) {
          g.writeString(a);
        }
        g.writeEndArray();
      }
      if (m.kind() != null) {
        g.writeStringField("kind", m.kind());
      }
      if (m.effectiveFrom() != null) {
        g.writeStringField("effective_from", m.effectiveFrom().toString());
      }
      if (m.effectiveTo() != null) {
        g.writeStringField("effective_to", m.effectiveTo().toString());
      }
      if (m.source() != null) {
        g.writeStringField("source", m.source());
      }
      if (m.sourceDate() != null) {
        g.writeStringField("source_date", m.sourceDate().toString());
      }
      prices(g, m.prices());
      if (!m.tiers().isEmpty()) {
        g.writeArrayFieldStart("tiers");
        for (ModelPrice.Tier t : m.tiers()) {
          g.writeStartObject();
          g.writeNumberField("above_input_tokens", t.aboveInputTokens());
          prices(g, t.prices());
          serviceTiers(g, t.serviceTiers());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      serviceTiers(g, m.serviceTiers());
      g.writeEndObject();
    });
  }

  private static void serviceTiers(JsonGenerator g, Map<String, ModelPrice.ServiceTier> tiers)
      throws IOException {
    if (tiers.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart("service_tiers");
    for (Map.Entry<String, ModelPrice.ServiceTier> e : tiers.entrySet()) {
      g.writeObjectFieldStart(e.getKey());
      if (e.getValue().multiplierOrNull() != null) {
        g.writeStringField("multiplier", plain(e.getValue().multiplierOrNull()));
      } else {
        prices(g, e.getValue().pricesOrNull());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void prices(JsonGenerator g, Prices p) throws IOException {
    field(g, "input", p.input());
    field(g, "cache_read", p.cacheRead());
    field(g, "cache_write_5m", p.cacheWrite5m());
    field(g, "cache_write_1h", p.cacheWrite1h());
    field(g, "output", p.output());
    field(g, "per_call", p.perCall());
  }

  private static void field(JsonGenerator g, String name, BigDecimal v) throws IOException {
    if (v != null) {
      g.writeStringField(name, plain(v)); // decimal strings: read back exactly
    }
  }

  private static String plain(BigDecimal v) {
    return v.stripTrailingZeros().toPlainString();
  }

  private static String string(String s) {
    return write(g -> g.writeString(s));
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(Body body) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
