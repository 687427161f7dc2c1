package io.flowcost.agent.caps;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector's budget status as the agent last fetched it ({@code GET /v1/budgets}; format in
 * {@code docs/budgets-and-alerts.md}): only the owners at their hard cap matter to the agent, so
 * only those are kept. Immutable.
 */
public final class BudgetStatus {

  private static final JsonFactory JSON = new JsonFactory();

  /** No status fetched (budgets off, or the collector never answered). */
  public static final BudgetStatus NONE = new BudgetStatus(List.of(), Long.MIN_VALUE);

  /**
   * One owner at its hard cap in its current period.
   *
   * @param ownerKey the tag key the budget is on ({@code team})
   * @param owner the tag value ({@code payments})
   * @param periodId the period ({@code 2026-12})
   * @param periodEnd when the owner may start workflows again
   * @param hardLimitUsd the hard cap
   * @param spendUsd the owner's spend in the period when the collector answered
   */
  public record HardOwner(String ownerKey, String owner, String periodId, Instant periodEnd,
      BigDecimal hardLimitUsd, BigDecimal spendUsd) {

    /** {@code key=value}, as the budgets file names the owner. */
    public String label() {
      return ownerKey + '=' + owner;
    }
  }

  private final List<HardOwner> hard;
  /** Owner key → owner value → its hard budget: a workflow's check is one lookup per tag. */
  private final Map<String, Map<String, HardOwner>> byKey;
  private final long fetchedNanos;

  BudgetStatus(List<HardOwner> hard, long fetchedNanos) {
    this.hard = List.copyOf(hard);
    this.fetchedNanos = fetchedNanos;
    Map<String, Map<String, HardOwner>> keys = new HashMap<>();
    for (HardOwner h : hard) {
      // the collector serves one entry per budget line; two lines on one owner: the first wins
      keys.computeIfAbsent(h.ownerKey(), k -> new HashMap<>()).putIfAbsent(h.owner(), h);
    }
    keys.replaceAll((k, v) -> Map.copyOf(v));
    this.byKey = Map.copyOf(keys);
  }

  /** The owners at their hard cap. */
  public List<HardOwner> hardOwners() {
    return hard;
  }

  /** {@link System#nanoTime()} when the collector answered with this status. */
  public long fetchedNanos() {
    return fetchedNanos;
  }

  /** The same status, confirmed by the collector at {@code nanos} (a {@code 304}). */
  BudgetStatus confirmedAt(long nanos) {
    return new BudgetStatus(hard, nanos);
  }

  /**
   * The first owner at its hard cap whose tag the workflow carries, still in its period, or {@code
   * null}. The clock is read only when an owner matches (the common case reads no clock).
   */
  HardOwner hardOwnerOf(Map<String, String> tags, java.util.function.Supplier<Instant> now) {
    if (hard.isEmpty() || tags == null || tags.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      Map<String, HardOwner> owners = byKey.get(tag.getKey());
      HardOwner h = owners == null || tag.getValue() == null ? null : owners.get(tag.getValue());
      // a period that has rolled since the answer no longer refuses (the next poll says so too)
      if (h != null && now.get().isBefore(h.periodEnd())) {
        return h;
      }
    }
    return null;
  }

  /**
   * Parses a {@code GET /v1/budgets} body, keeping the entries whose {@code state} is {@code
   * hard}. Unknown fields are skipped (a newer collector may add some).
   *
   * @throws IOException when the body is not that JSON, or a hard entry lacks a field
   */
  static BudgetStatus parse(byte[] body, long fetchedNanos) throws IOException {
    List<HardOwner> hard = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        JsonToken value = p.nextToken();
        if (!"budgets".equals(field)) {
          p.skipChildren();
          continue;
        }
        expect(value, JsonToken.START_ARRAY);
        while (p.nextToken() == JsonToken.START_OBJECT) {
          Map<String, String> entry = new HashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.getCurrentName();
            JsonToken t = p.nextToken();
            if (t.isScalarValue()) {
              entry.put(name, p.getValueAsString());
            } else {
              p.skipChildren();
            }
          }
          if ("hard".equals(entry.get("state"))) {
            hard.add(hardOwner(entry));
          }
        }
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IOException("a budget entry has a malformed field", e);
    }
    return new BudgetStatus(hard, fetchedNanos);
  }

  private static HardOwner hardOwner(Map<String, String> e) throws IOException {
    String key = e.get("owner_key");
    String owner = e.get("owner");
    String end = e.get("period_end");
    String limit = e.get("hard_limit_usd");
    String spend = e.get("spend_usd");
    if (key == null || owner == null || end == null || limit == null || spend == null) {
      throw new IOException("a hard budget entry lacks owner_key, owner, period_end,"
          + " hard_limit_usd or spend_usd");
    }
    return new HardOwner(key, owner, e.getOrDefault("period_id", ""), Instant.parse(end),
        new BigDecimal(limit), new BigDecimal(spend));
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " but found " + actual);
    }
  }
}
