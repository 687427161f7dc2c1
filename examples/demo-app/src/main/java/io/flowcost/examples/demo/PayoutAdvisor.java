package io.flowcost.examples.demo;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;

/** Advises the customer on a payout; an output guardrail keeps it within policy. */
public interface PayoutAdvisor {

  /** Returns the advice; a reprompt (same memory) replaces an off-policy answer. */
  String advise(@MemoryId String claimId, @UserMessage String claim);
}
