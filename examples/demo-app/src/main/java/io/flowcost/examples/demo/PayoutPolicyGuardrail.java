package io.flowcost.examples.demo;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.guardrail.OutputGuardrail;
import dev.langchain4j.guardrail.OutputGuardrailResult;

/** Rejects an answer that promises what the policy does not allow, and asks again. */
public final class PayoutPolicyGuardrail implements OutputGuardrail {

  @Override
  public OutputGuardrailResult validate(AiMessage answer) {
    String text = answer.text();
    if (text != null && text.contains("OFF-POLICY")) {
      return reprompt("the answer promises an off-policy payout",
          "Answer again without promising any payout the policy does not cover.");
    }
    return success();
  }
}
