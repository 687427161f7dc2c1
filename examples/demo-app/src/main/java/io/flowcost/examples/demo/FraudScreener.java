package io.flowcost.examples.demo;

/** Screens a claim for fraud indicators (OpenAI, retried by LangChain4j on 429 and 5xx). */
public interface FraudScreener {

  /** Returns the screening verdict. */
  String screen(String claim);
}
