/** Logical embedding calls through {@code EmbeddingModel}. */
package io.flowcost.agent.langchain4j.embedding;
