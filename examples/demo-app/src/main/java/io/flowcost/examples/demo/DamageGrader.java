package io.flowcost.examples.demo;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;

/** Grades damage as structured output; {@link DamageGradeJson} reprompts for valid JSON. */
public interface DamageGrader {

  /** Returns the grade of the claim. */
  DamageGrade grade(@MemoryId String claimId, @UserMessage String claim);
}
