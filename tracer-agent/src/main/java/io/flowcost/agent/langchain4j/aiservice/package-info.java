/** AI-service invocations: workflows, steps and token streams. */
package io.flowcost.agent.langchain4j.aiservice;
