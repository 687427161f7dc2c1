package io.flowcost.collector.ingest;

/**
 * Token counts of one attempt, normalised as DESIGN.md says: {@code input} includes cache reads and
 * writes, {@code cacheWrite} includes {@code cacheWrite1h}, {@code output} includes
 * {@code reasoning}. A {@code null} record means the attempt reported no usage.
 */
public record Usage(
    long input,
    long cacheRead,
    long cacheWrite,
    long cacheWrite1h,
    long output,
    long reasoning,
    boolean estimated,
    String serviceTier) {

  /** Largest count accepted for one attempt; anything above is a producer bug, not a bill. */
  public static final long MAX_TOKENS = 100_000_000L;

  public Usage {
    check("input_tokens", input);
    check("cache_read_tokens", cacheRead);
    check("cache_write_tokens", cacheWrite);
    check("cache_write_1h_tokens", cacheWrite1h);
    check("output_tokens", output);
    check("reasoning_tokens", reasoning);
    if (cacheRead + cacheWrite > input) {
      throw new IllegalArgumentException(
          "cache read + cache write tokens exceed input tokens (input must include cached tokens)");
    }
    if (cacheWrite1h > cacheWrite) {
      throw new IllegalArgumentException("1-hour cache write tokens exceed cache write tokens");
    }
    if (reasoning > output) {
      throw new IllegalArgumentException("reasoning tokens exceed output tokens");
    }
  }

  /**
   * Whether these counts say nothing was billed: no input, no output, not an estimate. No answered
   * inference request is billed zero input tokens, so from another producer this means it never
   * received the usage (Spring AI reports an OpenAI stream without {@code
   * stream_options.include_usage} as 0 in, 0 out).
   */
  public boolean reportsNothing() {
    return input == 0 && output == 0 && !estimated;
  }

  private static void check(String name, long value) {
    if (value < 0 || value > MAX_TOKENS) {
      throw new IllegalArgumentException(
          name + " out of range [0, " + MAX_TOKENS + "]: " + value);
    }
  }
}
