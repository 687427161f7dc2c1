/** Logical model calls through {@code ChatModel} and {@code StreamingChatModel}. */
package io.flowcost.agent.langchain4j.chat;
