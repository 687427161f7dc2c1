package io.flowcost.examples.demo;

/** Assesses damage with the policy and repair tools (OpenAI). */
public interface DamageAssessor {

  /** Returns the assessment of a claim. */
  String assess(String claim);
}
