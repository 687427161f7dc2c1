package io.flowcost.agent.context;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/** Attribute keys of the span contract ({@code docs/spans.md}). */
public final class SpanAttributes {

  private SpanAttributes() {}

  public static final AttributeKey<Boolean> WORKFLOW_ROOT =
      AttributeKey.booleanKey("flowcost.workflow.root");
  public static final AttributeKey<String> WORKFLOW_NAME =
      AttributeKey.stringKey("flowcost.workflow.name");
  public static final AttributeKey<String> WORKFLOW_SOURCE =
      AttributeKey.stringKey("flowcost.workflow.source");
  public static final String TAG_PREFIX = "flowcost.tag.";
  public static final AttributeKey<String> EXTERNAL_KEY =
      AttributeKey.stringKey("flowcost.external_key");
  public static final AttributeKey<Boolean> STEP = AttributeKey.booleanKey("flowcost.step");
  public static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("flowcost.step.name");
  public static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
  /** On a workflow root: the chat-memory id of the conversation (LangChain4j {@code @MemoryId}). */
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("gen_ai.conversation.id");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  public static final AttributeKey<String> CALL_KIND = AttributeKey.stringKey("flowcost.call.kind");
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  public static final AttributeKey<String> REQUEST_MODEL =
      AttributeKey.stringKey("gen_ai.request.model");
  public static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  public static final AttributeKey<Boolean> REQUEST_STREAM =
      AttributeKey.booleanKey("gen_ai.request.stream");
  public static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
  public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("flowcost.attempts");

  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("flowcost.attempt");
  public static final AttributeKey<String> CALL_ID = AttributeKey.stringKey("flowcost.call.id");
  /** On attempts: the span id of the logical call's parent (a step, tool, retrieval, workflow). */
  public static final AttributeKey<String> CALL_PARENT_ID =
      AttributeKey.stringKey("flowcost.call.parent_id");
  public static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");

  public static final AttributeKey<Long> INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");
  public static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  public static final AttributeKey<Long> CACHE_WRITE_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  public static final AttributeKey<Long> CACHE_WRITE_1H_TOKENS =
      AttributeKey.longKey("flowcost.usage.cache_creation_1h.input_tokens");
  public static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  public static final AttributeKey<Long> REASONING_TOKENS =
      AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");
  public static final AttributeKey<String> SERVICE_TIER =
      AttributeKey.stringKey("flowcost.service_tier");
  /**
   * On attempts: the cost in USD the provider or gateway reported for this response (OpenRouter's
   * {@code usage.cost}, a LiteLLM proxy's {@code x-litellm-response-cost}), as an exact decimal
   * string — a string so that no binary float ever rounds it.
   */
  public static final AttributeKey<String> PROVIDER_COST_USD =
      AttributeKey.stringKey("flowcost.provider_cost_usd");
}
