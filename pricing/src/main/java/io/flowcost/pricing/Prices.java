package io.flowcost.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One set of list prices in USD per million tokens (and USD per call for {@link #perCall()}).
 *
 * <p>Only {@link #input()} is required. A missing cache-read or cache-write price means the
 * provider bills those tokens as ordinary input, so the effective price falls back to the input
 * price; a missing output price means 0 (embedding models); a missing per-call fee means none.
 * Values are exact decimals, never floating point.
 */
public final class Prices {

  private final BigDecimal input;
  private final BigDecimal cacheRead;
  private final BigDecimal cacheWrite5m;
  private final BigDecimal cacheWrite1h;
  private final BigDecimal output;
  private final BigDecimal perCall;

  private Prices(Builder b) {
    this.input = Objects.requireNonNull(b.input, "input price");
    this.cacheRead = b.cacheRead;
    this.cacheWrite5m = b.cacheWrite5m;
    this.cacheWrite1h = b.cacheWrite1h;
    this.output = b.output;
    this.perCall = b.perCall;
    for (BigDecimal p : new BigDecimal[] {input, cacheRead, cacheWrite5m, cacheWrite1h, output,
        perCall}) {
      if (p != null && p.signum() < 0) {
        throw new IllegalArgumentException("prices must be >= 0 but got " + p.toPlainString());
      }
    }
  }

  /** Returns a new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Uncached input price per million tokens. */
  public BigDecimal input() {
    return input;
  }

  /** Cache-read price per million tokens as listed, or {@code null} when not listed. */
  public BigDecimal cacheRead() {
    return cacheRead;
  }

  /** Five-minute cache-write price per million tokens as listed, or {@code null}. */
  public BigDecimal cacheWrite5m() {
    return cacheWrite5m;
  }

  /** One-hour cache-write price per million tokens as listed, or {@code null}. */
  public BigDecimal cacheWrite1h() {
    return cacheWrite1h;
  }

  /** Output price per million tokens as listed, or {@code null}. */
  public BigDecimal output() {
    return output;
  }

  /** Fee per call in USD as listed, or {@code null}. */
  public BigDecimal perCall() {
    return perCall;
  }

  /** Cache-read price in effect: the listed one, else the input price. */
  public BigDecimal effectiveCacheRead() {
    return cacheRead != null ? cacheRead : input;
  }

  /** Five-minute cache-write price in effect: the listed one, else the input price. */
  public BigDecimal effectiveCacheWrite5m() {
    return cacheWrite5m != null ? cacheWrite5m : input;
  }

  /**
   * One-hour cache-write price in effect: the listed one, else the five-minute price in effect
   * (a provider that lists no 1-hour price has no separate 1-hour TTL).
   */
  public BigDecimal effectiveCacheWrite1h() {
    return cacheWrite1h != null ? cacheWrite1h : effectiveCacheWrite5m();
  }

  /** Output price in effect: the listed one, else 0. */
  public BigDecimal effectiveOutput() {
    return output != null ? output : BigDecimal.ZERO;
  }

  /** Per-call fee in effect: the listed one, else 0. */
  public BigDecimal effectivePerCall() {
    return perCall != null ? perCall : BigDecimal.ZERO;
  }

  /** Returns these prices with every listed value multiplied exactly by {@code factor}. */
  public Prices times(BigDecimal factor) {
    UnaryOperator<BigDecimal> f = p -> p == null ? null : p.multiply(factor);
    return builder()
        .input(f.apply(input))
        .cacheRead(f.apply(cacheRead))
        .cacheWrite5m(f.apply(cacheWrite5m))
        .cacheWrite1h(f.apply(cacheWrite1h))
        .output(f.apply(output))
        .perCall(f.apply(perCall))
        .build();
  }

  /** Returns these prices with each value not listed here taken from {@code fallback}. */
  public Prices orElse(Prices fallback) {
    return builder()
        .input(input)
        .cacheRead(cacheRead != null ? cacheRead : fallback.cacheRead)
        .cacheWrite5m(cacheWrite5m != null ? cacheWrite5m : fallback.cacheWrite5m)
        .cacheWrite1h(cacheWrite1h != null ? cacheWrite1h : fallback.cacheWrite1h)
        .output(output != null ? output : fallback.output)
        .perCall(perCall != null ? perCall : fallback.perCall)
        .build();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Prices)) {
      return false;
    }
    Prices p = (Prices) o;
    return same(input, p.input) && same(cacheRead, p.cacheRead)
        && same(cacheWrite5m, p.cacheWrite5m) && same(cacheWrite1h, p.cacheWrite1h)
        && same(output, p.output) && same(perCall, p.perCall);
  }

  private static boolean same(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  @Override
  public int hashCode() {
    // compareTo-consistent: 2.5 and 2.50 hash alike.
    return Objects.hash(norm(input), norm(cacheRead), norm(cacheWrite5m), norm(cacheWrite1h),
        norm(output), norm(perCall));
  }

  private static BigDecimal norm(BigDecimal v) {
    return v == null ? null : v.stripTrailingZeros();
  }

  @Override
  public String toString() {
    return "Prices{input=" + plain(input) + ", cacheRead=" + plain(cacheRead)
        + ", cacheWrite5m=" + plain(cacheWrite5m) + ", cacheWrite1h=" + plain(cacheWrite1h)
        + ", output=" + plain(output) + ", perCall=" + plain(perCall) + '}';
  }

  private static String plain(BigDecimal v) {
    return v == null ? "-" : v.toPlainString();
  }

  /** Builder for {@link Prices}. */
  public static final class Builder {
    private BigDecimal input;
    private BigDecimal cacheRead;
    private BigDecimal cacheWrite5m;
    private BigDecimal cacheWrite1h;
    private BigDecimal output;
    private BigDecimal perCall;

    private Builder() {}

    /** Uncached input price per million tokens (required). */
    public Builder input(BigDecimal v) {
      this.input = v;
      return this;
    }

    /** Cache-read price per million tokens. */
    public Builder cacheRead(BigDecimal v) {
      this.cacheRead = v;
      return this;
    }

    /** Five-minute cache-write price per million tokens. */
    public Builder cacheWrite5m(BigDecimal v) {
      this.cacheWrite5m = v;
      return this;
    }

    /** One-hour cache-write price per million tokens. */
    public Builder cacheWrite1h(BigDecimal v) {
      this.cacheWrite1h = v;
      return this;
    }

    /** Output price per million tokens. */
    public Builder output(BigDecimal v) {
      this.output = v;
      return this;
    }

    /** Fee per call in USD. */
    public Builder perCall(BigDecimal v) {
      this.perCall = v;
      return this;
    }

    /** Builds the prices; the input price is required and no price may be negative. */
    public Prices build() {
      return new Prices(this);
    }
  }
}
