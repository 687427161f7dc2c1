/**
 * LangChain4j guardrails: an output guardrail that rejects a billed answer marks the model call
 * that produced it as discarded.
 */
package io.flowcost.agent.langchain4j.guardrail;
