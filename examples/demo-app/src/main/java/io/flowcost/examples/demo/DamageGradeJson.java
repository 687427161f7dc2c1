package io.flowcost.examples.demo;

import dev.langchain4j.guardrail.JsonExtractorOutputGuardrail;

/** LangChain4j's structured-output retry: unparseable JSON gets a reprompt. */
public final class DamageGradeJson extends JsonExtractorOutputGuardrail<DamageGrade> {

  /** Parses answers as {@link DamageGrade}. */
  public DamageGradeJson() {
    super(DamageGrade.class);
  }
}
