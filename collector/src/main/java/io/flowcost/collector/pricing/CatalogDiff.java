package io.flowcost.collector.pricing;

import io.flowcost.pricing.ModelPrice;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.pricing.Prices;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What changes between two catalogs, per {@code provider/model} key: added, changed (any
 * price, context tier or service tier differs) and removed entries, grouped by provider.
 * Compares the entries in force at one instant, so price history does not count as a change.
 *
 * @param added keys only in the new catalog
 * @param changed keys in both whose prices differ, with a one-line summary each
 * @param removed keys only in the old catalog
 */
public record CatalogDiff(List<String> added, List<String> changed, List<String> removed) {

  /** Canonical constructor: copies the lists. */
  public CatalogDiff {
    added = List.copyOf(added);
    changed = List.copyOf(changed);
    removed = List.copyOf(removed);
  }

  /** Compares the entries of {@code before} and {@code after} in force at {@code at}. */
  public static CatalogDiff of(PriceCatalog before, PriceCatalog after, Instant at) {
    Map<String, ModelPrice> old = inForce(before, at);
    Map<String, ModelPrice> neu = inForce(after, at);
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, ModelPrice> e : neu.entrySet()) {
      ModelPrice o = old.get(e.getKey());
      if (o == null) {
        added.add(e.getKey());
      } else if (!samePrices(o, e.getValue())) {
        changed.add(e.getKey() + ": " + summary(o) + " -> " + summary(e.getValue()));
      }
    }
    for (String k : old.keySet()) {
      if (!neu.containsKey(k)) {
        removed.add(k);
      }
    }
    return new CatalogDiff(added, changed, removed);
  }

  /** True when nothing was added, changed or removed. */
  public boolean isEmpty() {
    return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
  }

  /**
   * Prints the counts per provider, then each key. Keys come from catalog files, which the
   * user chose to load; they are still escaped, as every name that reaches a terminal.
   */
  public void print(PrintWriter out) {
    Map<String, int[]> perProvider = new TreeMap<>();
    count(added, 0, perProvider);
    count(changed, 1, perProvider);
    count(removed, 2, perProvider);
    out.printf("%-12s %7s %7s %7s%n", "provider", "added", "changed", "removed");
    perProvider.forEach((p, n) -> out.printf("%-12s %7d %7d %7d%n", safe(p), n[0], n[1], n[2]));
    out.printf("%-12s %7d %7d %7d%n", "TOTAL", added.size(), changed.size(), removed.size());
    added.forEach(k -> out.println("+ " + safe(k)));
    changed.forEach(k -> out.println("~ " + safe(k)));
    removed.forEach(k -> out.println("- " + safe(k)));
    out.flush();
  }

  private static void count(List<String> keys, int column, Map<String, int[]> perProvider) {
    for (String k : keys) {
      perProvider.computeIfAbsent(k.substring(0, k.indexOf('/')), p -> new int[3])[column]++;
    }
  }

  private static String safe(String s) {
    return io.flowcost.collector.SafeText.of(s);
  }

  private static Map<String, ModelPrice> inForce(PriceCatalog c, Instant at) {
    Map<String, ModelPrice> out = new TreeMap<>();
    for (ModelPrice m : c.models()) {
      if (m.inForceAt(at)) {
        out.put(m.key(), m);
      }
    }
    return out;
  }

  static boolean samePrices(ModelPrice a, ModelPrice b) {
    if (!a.prices().equals(b.prices()) || a.tiers().size() != b.tiers().size()
        || !sameServiceTiers(a.serviceTiers(), b.serviceTiers())) {
      return false;
    }
    for (int i = 0; i < a.tiers().size(); i++) {
      ModelPrice.Tier x = a.tiers().get(i);
      ModelPrice.Tier y = b.tiers().get(i);
      if (x.aboveInputTokens() != y.aboveInputTokens() || !x.prices().equals(y.prices())
          || !sameServiceTiers(x.serviceTiers(), y.serviceTiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameServiceTiers(Map<String, ModelPrice.ServiceTier> a,
      Map<String, ModelPrice.ServiceTier> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, ModelPrice.ServiceTier> e : a.entrySet()) {
      ModelPrice.ServiceTier o = b.get(e.getKey());
      ModelPrice.ServiceTier s = e.getValue();
      boolean sameMultiplier = s.multiplierOrNull() == null ? o.multiplierOrNull() == null
          : o.multiplierOrNull() != null && s.multiplierOrNull().compareTo(o.multiplierOrNull()) == 0;
      if (!sameMultiplier || !Objects.equals(s.pricesOrNull(), o.pricesOrNull())) {
        return false;
      }
    }
    return true;
  }

  private static String summary(ModelPrice m) {
    Prices p = m.prices();
    return "in " + plain(p.input()) + " out " + plain(p.output())
        + (p.cacheRead() == null ? "" : " cache_read " + plain(p.cacheRead()))
        + (m.tiers().isEmpty() ? "" : " tiers " + m.tiers().size());
  }

  private static String plain(java.math.BigDecimal v) {
    return v == null ? "-" : v.stripTrailingZeros().toPlainString();
  }
}
