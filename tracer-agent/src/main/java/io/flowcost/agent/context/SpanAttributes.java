package io.flowcost.agent.context;

import io.flowcost.contract.SpanKeys;
import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Typed attribute keys of the span contract ({@code docs/spans.md}), built from the one spelling of
 * each in {@link SpanKeys}.
 */
public final class SpanAttributes {

  private SpanAttributes() {}

  public static final AttributeKey<Boolean> WORKFLOW_ROOT =
      AttributeKey.booleanKey(SpanKeys.WORKFLOW_ROOT);
  public static final AttributeKey<String> WORKFLOW_NAME =
      AttributeKey.stringKey(SpanKeys.WORKFLOW_NAME);
  public static final AttributeKey<String> WORKFLOW_SOURCE =
      AttributeKey.stringKey(SpanKeys.WORKFLOW_SOURCE);
  public static final String TAG_PREFIX = SpanKeys.TAG_PREFIX;
  public static final AttributeKey<String> EXTERNAL_KEY =
      AttributeKey.stringKey(SpanKeys.EXTERNAL_KEY);
  public static final AttributeKey<Boolean> STEP = AttributeKey.booleanKey(SpanKeys.STEP);
  public static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey(SpanKeys.STEP_NAME);
  public static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey(SpanKeys.AGENT_NAME);
  /** On a workflow root: the chat-memory id of the conversation (LangChain4j {@code @MemoryId}). */
  public static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey(SpanKeys.CONVERSATION_ID);
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey(SpanKeys.ERROR_TYPE);

  public static final AttributeKey<String> CALL_KIND = AttributeKey.stringKey(SpanKeys.CALL_KIND);
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey(SpanKeys.OPERATION);
  public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey(SpanKeys.PROVIDER);
  public static final AttributeKey<String> REQUEST_MODEL =
      AttributeKey.stringKey(SpanKeys.REQUEST_MODEL);
  public static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey(SpanKeys.RESPONSE_MODEL);
  /** On attempts: the provider's id of the response, to match an app's own span of the request. */
  public static final AttributeKey<String> RESPONSE_ID =
      AttributeKey.stringKey(SpanKeys.RESPONSE_ID);
  public static final AttributeKey<Boolean> REQUEST_STREAM =
      AttributeKey.booleanKey(SpanKeys.REQUEST_STREAM);
  public static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey(SpanKeys.FINISH_REASONS);
  public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey(SpanKeys.TOOL_NAME);
  public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey(SpanKeys.ATTEMPTS);

  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey(SpanKeys.ATTEMPT);
  public static final AttributeKey<String> CALL_ID = AttributeKey.stringKey(SpanKeys.CALL_ID);
  /** On attempts: the span id of the logical call's parent (a step, tool, retrieval, workflow). */
  public static final AttributeKey<String> CALL_PARENT_ID =
      AttributeKey.stringKey(SpanKeys.CALL_PARENT_ID);
  public static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey(SpanKeys.HTTP_STATUS);

  public static final AttributeKey<Long> INPUT_TOKENS =
      AttributeKey.longKey(SpanKeys.INPUT_TOKENS);
  public static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey(SpanKeys.CACHE_READ_TOKENS);
  public static final AttributeKey<Long> CACHE_WRITE_TOKENS =
      AttributeKey.longKey(SpanKeys.CACHE_CREATION_TOKENS);
  public static final AttributeKey<Long> CACHE_WRITE_1H_TOKENS =
      AttributeKey.longKey(SpanKeys.CACHE_WRITE_1H_TOKENS);
  public static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey(SpanKeys.OUTPUT_TOKENS);
  public static final AttributeKey<Long> REASONING_TOKENS =
      AttributeKey.longKey(SpanKeys.REASONING_TOKENS);
  public static final AttributeKey<String> SERVICE_TIER =
      AttributeKey.stringKey(SpanKeys.SERVICE_TIER);
  /**
   * On attempts: the cost in USD the provider or gateway reported for this response (OpenRouter's
   * {@code usage.cost}, a LiteLLM proxy's {@code x-litellm-response-cost}), as an exact decimal
   * string — a string so that no binary float ever rounds it.
   */
  public static final AttributeKey<String> PROVIDER_COST_USD =
      AttributeKey.stringKey(SpanKeys.PROVIDER_COST_USD);
}
