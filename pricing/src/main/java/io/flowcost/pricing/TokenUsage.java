package io.flowcost.pricing;

import java.util.Locale;
import java.util.Objects;

/**
 * Token counts of one call, normalised to Flowcost's convention (DESIGN.md "Tokens and cost").
 *
 * <p>{@code input} is <em>all</em> prompt tokens: cache reads and cache writes are parts of it,
 * and {@code cacheWrite1h} is part of {@code cacheWrite}. {@code output} is all billed output;
 * {@code reasoning} is part of it. Providers that report cache tokens outside their input count
 * (Anthropic, Bedrock) must be added up before building a {@code TokenUsage}.
 *
 * <p>Instances are immutable; build them with {@link #builder()}.
 */
public final class TokenUsage {

  private static final TokenUsage EMPTY = builder().build();

  private final long input;
  private final long cacheRead;
  private final long cacheWrite;
  private final long cacheWrite1h;
  private final long output;
  private final long reasoning;
  private final String serviceTier;

  private TokenUsage(Builder b) {
    this.input = b.input;
    this.cacheRead = b.cacheRead;
    this.cacheWrite = b.cacheWrite;
    this.cacheWrite1h = b.cacheWrite1h;
    this.output = b.output;
    this.reasoning = b.reasoning;
    this.serviceTier = b.serviceTier;
  }

  /** Returns a new builder with every count 0 and no service tier. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a usage with every count 0. */
  public static TokenUsage empty() {
    return EMPTY;
  }

  /** All prompt tokens, cache reads and writes included. */
  public long input() {
    return input;
  }

  /** Prompt tokens served from the provider's cache (part of {@link #input()}). */
  public long cacheRead() {
    return cacheRead;
  }

  /** Prompt tokens written to the cache, any TTL (part of {@link #input()}). */
  public long cacheWrite() {
    return cacheWrite;
  }

  /** Cache writes with a one-hour TTL (part of {@link #cacheWrite()}). */
  public long cacheWrite1h() {
    return cacheWrite1h;
  }

  /** Cache writes with the default five-minute TTL: {@code cacheWrite - cacheWrite1h}. */
  public long cacheWrite5m() {
    return cacheWrite - cacheWrite1h;
  }

  /** Prompt tokens neither read from nor written to the cache. */
  public long uncachedInput() {
    return input - cacheRead - cacheWrite;
  }

  /** All billed output tokens, reasoning included. */
  public long output() {
    return output;
  }

  /** Reasoning / thinking tokens (part of {@link #output()}). */
  public long reasoning() {
    return reasoning;
  }

  /**
   * The service tier the provider reported (e.g. {@code default}, {@code batch}, {@code flex},
   * {@code priority}), or {@code null} when it reported none.
   */
  public String serviceTier() {
    return serviceTier;
  }

  /** Returns a builder pre-filled with this usage's values. */
  public Builder toBuilder() {
    return new Builder()
        .input(input)
        .cacheRead(cacheRead)
        .cacheWrite(cacheWrite)
        .cacheWrite1h(cacheWrite1h)
        .output(output)
        .reasoning(reasoning)
        .serviceTier(serviceTier);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TokenUsage)) {
      return false;
    }
    TokenUsage that = (TokenUsage) o;
    return input == that.input
        && cacheRead == that.cacheRead
        && cacheWrite == that.cacheWrite
        && cacheWrite1h == that.cacheWrite1h
        && output == that.output
        && reasoning == that.reasoning
        && Objects.equals(serviceTier, that.serviceTier);
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, cacheRead, cacheWrite, cacheWrite1h, output, reasoning, serviceTier);
  }

  @Override
  public String toString() {
    return "TokenUsage{input=" + input + ", cacheRead=" + cacheRead + ", cacheWrite=" + cacheWrite
        + ", cacheWrite1h=" + cacheWrite1h + ", output=" + output + ", reasoning=" + reasoning
        + ", serviceTier=" + serviceTier + '}';
  }

  /** Builder for {@link TokenUsage}; {@link #build()} validates the counts. */
  public static final class Builder {
    private long input;
    private long cacheRead;
    private long cacheWrite;
    private long cacheWrite1h;
    private long output;
    private long reasoning;
    private String serviceTier;

    private Builder() {}

    /** All prompt tokens, cache reads and writes included. */
    public Builder input(long input) {
      this.input = input;
      return this;
    }

    /** Cache-read tokens (part of input). */
    public Builder cacheRead(long cacheRead) {
      this.cacheRead = cacheRead;
      return this;
    }

    /** Cache-write tokens of any TTL (part of input). */
    public Builder cacheWrite(long cacheWrite) {
      this.cacheWrite = cacheWrite;
      return this;
    }

    /** One-hour cache-write tokens (part of cacheWrite). */
    public Builder cacheWrite1h(long cacheWrite1h) {
      this.cacheWrite1h = cacheWrite1h;
      return this;
    }

    /** All billed output tokens, reasoning included. */
    public Builder output(long output) {
      this.output = output;
      return this;
    }

    /** Reasoning tokens (part of output). */
    public Builder reasoning(long reasoning) {
      this.reasoning = reasoning;
      return this;
    }

    /** The provider-reported service tier, or {@code null}. */
    public Builder serviceTier(String serviceTier) {
      this.serviceTier = serviceTier;
      return this;
    }

    /**
     * Builds the usage.
     *
     * @throws IllegalArgumentException if a count is negative or a part exceeds its whole
     */
    public TokenUsage build() {
      nonNegative("input", input);
      nonNegative("cacheRead", cacheRead);
      nonNegative("cacheWrite", cacheWrite);
      nonNegative("cacheWrite1h", cacheWrite1h);
      nonNegative("output", output);
      nonNegative("reasoning", reasoning);
      if (cacheWrite1h > cacheWrite) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "cacheWrite1h (%d) must not exceed cacheWrite (%d)", cacheWrite1h, cacheWrite));
      }
      // Written without adding the two parts, so huge counts cannot overflow past the check.
      if (cacheRead > input || cacheWrite > input - cacheRead) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "cacheRead (%d) + cacheWrite (%d) must not exceed input (%d); input counts all prompt"
                + " tokens, cache reads and writes included",
            cacheRead, cacheWrite, input));
      }
      if (reasoning > output) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "reasoning (%d) must not exceed output (%d); output counts reasoning tokens too",
            reasoning, output));
      }
      return new TokenUsage(this);
    }

    private static void nonNegative(String name, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
      }
    }
  }
}
