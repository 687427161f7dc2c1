/** Attempts: exchanges through LangChain4j's {@code HttpClient} layer. */
package io.flowcost.agent.langchain4j.http;
