/** Helpers shared by the LangChain4j instrumentations; none of them links against LangChain4j. */
package io.flowcost.agent.langchain4j;
