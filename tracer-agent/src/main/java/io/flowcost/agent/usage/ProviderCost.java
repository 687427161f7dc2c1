package io.flowcost.agent.usage;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Validates a cost in USD that a provider or gateway reported for one response (OpenRouter's
 * {@code usage.cost}, a LiteLLM proxy's {@code x-litellm-response-cost} header), keeping it exact.
 *
 * <p>The value travels as the decimal text the provider sent, never through a {@code double}: a
 * binary float cannot hold {@code 0.0001} exactly, and the lake compares costs to 1e-9 USD.
 */
public final class ProviderCost {

  /** Longest text accepted; real costs are a few dozen characters at most. */
  static final int MAX_CHARS = 40;

  /** A non-negative JSON-style decimal; the exponent is bounded so its plain form stays short. */
  private static final Pattern DECIMAL =
      Pattern.compile("[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]{1,2})?");

  private ProviderCost() {}

  /**
   * The reported cost as an exact plain decimal string (no exponent), or {@code null} when the
   * value is absent, negative, not a finite decimal number, or longer than {@value #MAX_CHARS}
   * characters. A value the agent cannot trust is dropped rather than guessed.
   *
   * @param raw the reported text, e.g. {@code "0.000123"} or {@code "1.5E-5"}
   */
  public static String usd(String raw) {
    if (raw == null) {
      return null;
    }
    String text = raw.trim();
    if (text.isEmpty() || text.length() > MAX_CHARS || !DECIMAL.matcher(text).matches()) {
      return null;
    }
    String plain = new BigDecimal(text).toPlainString();
    // an exponent can lengthen the plain form (1e99): the bound holds for what is exported too
    return plain.length() > 2 * MAX_CHARS ? null : plain;
  }
}
