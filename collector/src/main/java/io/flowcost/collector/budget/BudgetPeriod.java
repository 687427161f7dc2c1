package io.flowcost.collector.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Locale;

/** The span of time a budget covers: a UTC calendar day or a UTC calendar month. */
public enum BudgetPeriod {
  DAY,
  MONTH;

  /** The period's name in the budgets file and in {@code /v1/budgets}: {@code day}, {@code month}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The id of the period containing {@code t}: {@code 2026-12-06} or {@code 2026-12}. */
  public String idOf(Instant t) {
    LocalDate day = LocalDate.ofInstant(t, ZoneOffset.UTC);
    return this == DAY ? day.toString() : YearMonth.from(day).toString();
  }

  /** When the period containing {@code t} started. */
  public Instant startOf(Instant t) {
    LocalDate day = LocalDate.ofInstant(t, ZoneOffset.UTC);
    LocalDate first = this == DAY ? day : day.withDayOfMonth(1);
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** When the period containing {@code t} ends (exclusive): the next period's start. */
  public Instant endOf(Instant t) {
    LocalDate day = LocalDate.ofInstant(t, ZoneOffset.UTC);
    LocalDate next = this == DAY ? day.plusDays(1) : day.withDayOfMonth(1).plusMonths(1);
    return next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** Parses {@code day} or {@code month}; {@code null} for anything else. */
  static BudgetPeriod parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "day", "daily" -> DAY;
      case "month", "monthly" -> MONTH;
      default -> null;
    };
  }
}
