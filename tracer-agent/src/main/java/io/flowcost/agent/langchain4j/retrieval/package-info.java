/**
 * Retrievals: LangChain4j {@code ContentRetriever.retrieve(Query)} and {@code
 * EmbeddingStore.search(EmbeddingSearchRequest)} inside a workflow, with the embedding calls they
 * make nested beneath.
 */
package io.flowcost.agent.langchain4j.retrieval;
