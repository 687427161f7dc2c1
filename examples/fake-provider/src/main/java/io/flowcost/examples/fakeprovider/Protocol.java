package io.flowcost.examples.fakeprovider;

/** The wire protocols the fake provider speaks, one per endpoint. */
public enum Protocol {
  /** OpenAI Chat Completions, {@code POST /v1/chat/completions}. */
  OPENAI_CHAT("openai.chat"),
  /** OpenAI Responses, {@code POST /v1/responses}. */
  OPENAI_RESPONSES("openai.responses"),
  /** OpenAI Embeddings, {@code POST /v1/embeddings}. */
  OPENAI_EMBEDDINGS("openai.embeddings"),
  /** Anthropic Messages, {@code POST /v1/messages}. */
  ANTHROPIC_MESSAGES("anthropic.messages"),
  /** Gemini {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent}. */
  GEMINI_GENERATE_CONTENT("gemini.generate_content"),
  /** AWS Bedrock Runtime Converse, {@code POST /model/{modelId}/converse} and {@code
   * /converse-stream} (binary {@code application/vnd.amazon.eventstream}). */
  BEDROCK_CONVERSE("bedrock.converse"),
  /** AWS Bedrock Runtime InvokeModel with an Anthropic Messages body, {@code POST
   * /model/{modelId}/invoke}. */
  BEDROCK_INVOKE("bedrock.invoke");

  private final String wireName;

  Protocol(String wireName) {
    this.wireName = wireName;
  }

  /** The stable name used in the JSON exchange log, e.g. {@code openai.chat}. */
  public String wireName() {
    return wireName;
  }
}
