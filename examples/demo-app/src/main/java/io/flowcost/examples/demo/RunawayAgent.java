package io.flowcost.examples.demo;

/** Resolves a claim by looking things up until it is sure — which, scripted, it never is. */
public interface RunawayAgent {

  /** Returns how the claim was resolved. */
  String resolve(String claim);
}
