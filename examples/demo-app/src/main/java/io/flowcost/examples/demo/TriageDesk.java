package io.flowcost.examples.demo;

import dev.langchain4j.service.TokenStream;

/** Triages an incoming claim, streamed (Anthropic, with the policy tool). */
public interface TriageDesk {

  /** Streams the triage note for the claim. */
  TokenStream triage(String claim);
}
