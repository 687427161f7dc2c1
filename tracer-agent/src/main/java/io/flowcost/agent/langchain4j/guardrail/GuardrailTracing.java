package io.flowcost.agent.langchain4j.guardrail;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.calls.InvocationCalls;
import io.flowcost.agent.langchain4j.Reflect;

/**
 * Output-guardrail verdicts. LangChain4j runs the output guardrails of an AI service on the
 * answer of the model call that just returned; a failed verdict (retry, reprompt — how {@code
 * JsonExtractorOutputGuardrail} retries unparseable structured output — or fatal) means that
 * billed answer is thrown away, so that call is marked {@code flowcost.waste_cause = discarded}.
 */
public final class GuardrailTracing {

  static final String OUTPUT_RESULT = "dev.langchain4j.guardrail.OutputGuardrailResult";

  private GuardrailTracing() {}

  /** Exit of one guardrail round; {@code result} is its {@code GuardrailResult}. Never throws. */
  public static void verdict(Object result) {
    try {
      if (!Reflect.isInstance(result, OUTPUT_RESULT)
          || Boolean.TRUE.equals(Reflect.call(result, "isSuccess"))) {
        return; // input guardrails judge no answer; a success (or a rewrite) keeps it
      }
      InvocationCalls calls = InvocationCalls.current();
      if (calls != null) {
        calls.discardLastModelCall();
      }
    } catch (Throwable t) {
      AgentLog.failure("guardrail verdict", t);
    }
  }
}
