package io.flowcost.agent.usage;

import java.util.Objects;

/**
 * Token usage of one exchange, normalised to the OpenTelemetry GenAI conventions.
 *
 * <p>{@link #inputTokens()} counts all prompt tokens, cache reads and writes included; {@link
 * #outputTokens()} counts all billed output, reasoning included. Every count is {@code null} when
 * the provider did not report it.
 */
public final class Usage {

  private final Long inputTokens;
  private final Long cacheReadTokens;
  private final Long cacheWriteTokens;
  private final Long cacheWrite1hTokens;
  private final Long outputTokens;
  private final Long reasoningTokens;
  private final String serviceTier;

  private Usage(Builder b) {
    this.inputTokens = b.inputTokens;
    this.cacheReadTokens = b.cacheReadTokens;
    this.cacheWriteTokens = b.cacheWriteTokens;
    this.cacheWrite1hTokens = b.cacheWrite1hTokens;
    this.outputTokens = b.outputTokens;
    this.reasoningTokens = b.reasoningTokens;
    this.serviceTier = b.serviceTier;
  }

  /** Returns a new builder with every count unset. */
  public static Builder builder() {
    return new Builder();
  }

  /** All prompt tokens, cache reads and writes included. */
  public Long inputTokens() {
    return inputTokens;
  }

  /** Prompt tokens read from the provider's cache; part of {@link #inputTokens()}. */
  public Long cacheReadTokens() {
    return cacheReadTokens;
  }

  /** Prompt tokens written to the cache (all TTLs); part of {@link #inputTokens()}. */
  public Long cacheWriteTokens() {
    return cacheWriteTokens;
  }

  /** Anthropic 1-hour cache writes; part of {@link #cacheWriteTokens()}. */
  public Long cacheWrite1hTokens() {
    return cacheWrite1hTokens;
  }

  /** All billed output tokens, reasoning included. */
  public Long outputTokens() {
    return outputTokens;
  }

  /** Reasoning / thinking tokens; part of {@link #outputTokens()}. */
  public Long reasoningTokens() {
    return reasoningTokens;
  }

  /** The service tier the provider reported, or {@code null}. */
  public String serviceTier() {
    return serviceTier;
  }

  /** Whether any token count is present. */
  public boolean hasTokens() {
    return inputTokens != null || outputTokens != null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Usage)) {
      return false;
    }
    Usage u = (Usage) o;
    return Objects.equals(inputTokens, u.inputTokens)
        && Objects.equals(cacheReadTokens, u.cacheReadTokens)
        && Objects.equals(cacheWriteTokens, u.cacheWriteTokens)
        && Objects.equals(cacheWrite1hTokens, u.cacheWrite1hTokens)
        && Objects.equals(outputTokens, u.outputTokens)
        && Objects.equals(reasoningTokens, u.reasoningTokens)
        && Objects.equals(serviceTier, u.serviceTier);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        inputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        cacheWrite1hTokens,
        outputTokens,
        reasoningTokens,
        serviceTier);
  }

  @Override
  public String toString() {
    return "Usage{input="
        + inputTokens
        + ", cacheRead="
        + cacheReadTokens
        + ", cacheWrite="
        + cacheWriteTokens
        + ", cacheWrite1h="
        + cacheWrite1hTokens
        + ", output="
        + outputTokens
        + ", reasoning="
        + reasoningTokens
        + ", serviceTier="
        + serviceTier
        + '}';
  }

  /** Builder for {@link Usage}. */
  public static final class Builder {
    private Long inputTokens;
    private Long cacheReadTokens;
    private Long cacheWriteTokens;
    private Long cacheWrite1hTokens;
    private Long outputTokens;
    private Long reasoningTokens;
    private String serviceTier;

    private Builder() {}

    /** Sets all prompt tokens, cache included. */
    public Builder inputTokens(Long value) {
      this.inputTokens = value;
      return this;
    }

    /** Sets cache reads. */
    public Builder cacheReadTokens(Long value) {
      this.cacheReadTokens = value;
      return this;
    }

    /** Sets cache writes (all TTLs). */
    public Builder cacheWriteTokens(Long value) {
      this.cacheWriteTokens = value;
      return this;
    }

    /** Sets 1-hour cache writes. */
    public Builder cacheWrite1hTokens(Long value) {
      this.cacheWrite1hTokens = value;
      return this;
    }

    /** Sets all output tokens, reasoning included. */
    public Builder outputTokens(Long value) {
      this.outputTokens = value;
      return this;
    }

    /** Sets reasoning tokens. */
    public Builder reasoningTokens(Long value) {
      this.reasoningTokens = value;
      return this;
    }

    /** Sets the service tier. */
    public Builder serviceTier(String value) {
      this.serviceTier = value;
      return this;
    }

    /** Builds the immutable value. */
    public Usage build() {
      return new Usage(this);
    }
  }
}
