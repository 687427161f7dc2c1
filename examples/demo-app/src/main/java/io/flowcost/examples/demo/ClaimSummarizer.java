package io.flowcost.examples.demo;

/** Summarises a claim for the file (Anthropic, with the cached claims manual as system prompt). */
public interface ClaimSummarizer {

  /** Returns a short summary of the claim. */
  String summarize(String claim);
}
