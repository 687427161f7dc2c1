package io.flowcost.collector.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Budget status for the current period of each budget: what {@code GET /v1/budgets} serves and
 * what alerts are raised from.
 */
public final class BudgetBoard {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One budget's status now.
   *
   * @param spendNanos the owner's spend in the period, in nano-dollars
   */
  public record Status(Budget budget, String periodId, Instant periodStart, Instant periodEnd,
      long spendNanos, BudgetState state) {

    /** The spend in USD. */
    public BigDecimal spendUsd() {
      return SpendLedger.usd(spendNanos);
    }

    /** The counter this status reads. */
    public OwnerPeriod counter() {
      return new OwnerPeriod(budget.ownerKey(), budget.owner(), budget.period(), periodId);
    }
  }

  private final List<Budget> budgets;
  private final ToLongFunction<OwnerPeriod> spend;
  private final Clock clock;

  /**
   * @param spend the spend of a counter in nano-dollars (this collector's ledger, or the shared
   *     store's view)
   */
  public BudgetBoard(List<Budget> budgets, ToLongFunction<OwnerPeriod> spend, Clock clock) {
    this.budgets = List.copyOf(budgets);
    this.spend = spend;
    this.clock = clock;
  }

  /** The budgets, in file order. */
  public List<Budget> budgets() {
    return budgets;
  }

  /** The clock periods are measured by. */
  public Clock clock() {
    return clock;
  }

  /** Every budget's status for the period containing now. */
  public List<Status> statuses() {
    Instant now = clock.instant();
    List<Status> out = new ArrayList<>(budgets.size());
    for (Budget b : budgets) {
      String id = b.period().idOf(now);
      long nanos = spend.applyAsLong(new OwnerPeriod(b.ownerKey(), b.owner(), b.period(), id));
      out.add(new Status(b, id, b.period().startOf(now), b.period().endOf(now), nanos,
          state(b, nanos)));
    }
    return out;
  }

  static BudgetState state(Budget b, long nanos) {
    if (b.hard() != null && nanos >= SpendLedger.nanos(b.hard())) {
      return BudgetState.HARD;
    }
    if (b.soft() != null && nanos >= SpendLedger.nanos(b.soft())) {
      return BudgetState.SOFT;
    }
    return BudgetState.OK;
  }

  /**
   * The body of {@code GET /v1/budgets}. It holds no timestamp of its own, so its ETag changes
   * only when a spend, a state or the period does.
   */
  public String json() {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("budgets");
    for (Status s : statuses()) {
      ObjectNode n = list.addObject();
      n.put("owner_key", s.budget().ownerKey());
      n.put("owner", s.budget().owner());
      n.put("period", s.budget().period().label());
      n.put("period_id", s.periodId());
      n.put("period_start", s.periodStart().toString());
      n.put("period_end", s.periodEnd().toString());
      n.put("spend_usd", s.spendUsd().toPlainString());
      if (s.budget().soft() != null) {
        n.put("soft_limit_usd", s.budget().soft().toPlainString());
      }
      if (s.budget().hard() != null) {
        n.put("hard_limit_usd", s.budget().hard().toPlainString());
      }
      n.put("state", s.state().label());
    }
    return body.toString();
  }

  /** A strong ETag of a body: quoted SHA-256 prefix. */
  public static String etag(String body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
