package io.flowcost.pricing;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A {@link Prices} as integers at one decimal scale, so that a call's cost is computed in
 * {@code long} arithmetic — exactly the value {@link CallPricer}'s {@link BigDecimal} formula
 * gives, rounded once, HALF_EVEN, to the nano-dollar — without a {@link BigDecimal} per term.
 *
 * <p>Per-million prices are held in units of 10<sup>-scale</sup> USD, the per-call fee in units
 * of 10<sup>-(scale+6)</sup> USD, so {@code tokens × price} and the fee add up in units of
 * 10<sup>-(scale+6)</sup> USD. Any overflow gives up ({@link #nanos} returns null) and the
 * caller uses the {@link BigDecimal} formula instead.
 */
final class ExactRates {

  /** Prices with more decimals than this are left to the BigDecimal formula. */
  static final int MAX_SCALE = 12;

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private final int scale;
  private final long input;
  private final long cacheRead;
  private final long cacheWrite5m;
  private final long cacheWrite1h;
  private final long output;
  private final long perCall;

  private ExactRates(int scale, long input, long cacheRead, long cacheWrite5m, long cacheWrite1h,
      long output, long perCall) {
    this.scale = scale;
    this.input = input;
    this.cacheRead = cacheRead;
    this.cacheWrite5m = cacheWrite5m;
    this.cacheWrite1h = cacheWrite1h;
    this.output = output;
    this.perCall = perCall;
  }

  /** {@code p} as integers, or null when a price has more than {@link #MAX_SCALE} decimals. */
  static ExactRates of(Prices p) {
    BigDecimal[] perMillion = {p.input(), p.effectiveCacheRead(), p.effectiveCacheWrite5m(),
        p.effectiveCacheWrite1h(), p.effectiveOutput()};
    BigDecimal fee = p.effectivePerCall();
    int scale = Math.max(0, fee.scale() - 6);
    for (BigDecimal v : perMillion) {
      scale = Math.max(scale, v.scale());
    }
    if (scale > MAX_SCALE) {
      return null;
    }
    long[] units = new long[5];
    for (int i = 0; i < 5; i++) {
      Long u = units(perMillion[i], scale);
      if (u == null) {
        return null;
      }
      units[i] = u;
    }
    Long feeUnits = units(fee, scale + 6);
    if (feeUnits == null) {
      return null;
    }
    return new ExactRates(scale, units[0], units[1], units[2], units[3], units[4], feeUnits);
  }

  private static Long units(BigDecimal v, int scale) {
    BigInteger u = v.setScale(scale).unscaledValue(); // exact: scale >= v.scale()
    return u.bitLength() < 63 ? u.longValue() : null;
  }

  /**
   * Cost, gross cache savings and net cache savings of {@code u} in nano-dollars (HALF_EVEN),
   * or null when a sum leaves the range of a long.
   */
  long[] nanos(TokenUsage u) {
    try {
      long cost = Math.addExact(Math.addExact(Math.addExact(Math.addExact(Math.addExact(
          Math.multiplyExact(u.uncachedInput(), input),
          Math.multiplyExact(u.cacheRead(), cacheRead)),
          Math.multiplyExact(u.cacheWrite5m(), cacheWrite5m)),
          Math.multiplyExact(u.cacheWrite1h(), cacheWrite1h)),
          Math.multiplyExact(u.output(), output)),
          perCall);
      long gross = Math.multiplyExact(u.cacheRead(), Math.subtractExact(input, cacheRead));
      long net = Math.subtractExact(Math.subtractExact(gross,
          Math.multiplyExact(u.cacheWrite5m(), Math.subtractExact(cacheWrite5m, input))),
          Math.multiplyExact(u.cacheWrite1h(), Math.subtractExact(cacheWrite1h, input)));
      return new long[] {toNanos(cost), toNanos(gross), toNanos(net)};
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  /** A value in units of 10^-(scale+6) USD, rounded HALF_EVEN to units of 10^-9 USD. */
  private long toNanos(long v) {
    int shift = scale + 6 - CallPricer.SCALE;
    if (shift <= 0) {
      return Math.multiplyExact(v, POW10[-shift]);
    }
    long d = POW10[shift];
    long q = Math.floorDiv(v, d);
    long r = Math.floorMod(v, d); // 0 <= r < d, so v / d = q + r / d
    long twice = 2 * r; // d <= 10^15: no overflow
    if (twice > d || (twice == d && (q & 1) != 0)) {
      q++;
    }
    return q;
  }
}
