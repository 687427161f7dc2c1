package io.flowcost.examples.demo;

/**
 * Grades damage as structured output, with no guardrail and no memory: unparseable JSON makes the
 * invocation throw, and the app retries it.
 */
public interface QuickGrader {

  /** Returns the grade of the claim. */
  DamageGrade grade(String claim);
}
