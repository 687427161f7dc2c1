package io.flowcost.examples.demo;

import dev.langchain4j.service.TokenStream;

/** Drafts the customer letter, streamed (OpenAI). */
public interface LetterWriter {

  /** Streams a draft letter for the claim. */
  TokenStream draftLetter(String claim);
}
