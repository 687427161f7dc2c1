package io.flowcost.collector.pricing;

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
    StringBuilder out = new StringBuilder();
    out.append("{\n  \"version\": ").append(string(version))
        .append(",\n  \"currency\": \"USD\",\n  \"unit\": \"per_million_tokens\",\n")
        .append("  \"description\": ").append(string(description))
        .append(",\n  \"models\": [\n");
    for (int i = 0; i < catalog.models().size(); i++) {
      out.append("    ").append(entry(catalog.models().get(i)))
          .append(i + 1 < catalog.models().size() ? ",\n" : "\n");
    }
    return out.append("  ]\n}\n").toString();
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
