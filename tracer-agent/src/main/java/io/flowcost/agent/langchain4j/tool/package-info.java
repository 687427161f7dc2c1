/** Tool executions through {@code ToolService}. */
package io.flowcost.agent.langchain4j.tool;
