package io.flowcost.langchain4j;

import io.flowcost.contract.SpanKeys;
import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/** The span attributes of docs/spans.md that this integration writes. */
final class Attributes {

  static final AttributeKey<Boolean> WORKFLOW_ROOT = AttributeKey.booleanKey(SpanKeys.WORKFLOW_ROOT);
  static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey(SpanKeys.WORKFLOW_NAME);
  static final AttributeKey<String> WORKFLOW_SOURCE = AttributeKey.stringKey(SpanKeys.WORKFLOW_SOURCE);
  static final String TAG_PREFIX = SpanKeys.TAG_PREFIX;
  static final AttributeKey<Boolean> STEP = AttributeKey.booleanKey(SpanKeys.STEP);
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey(SpanKeys.STEP_NAME);
  static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey(SpanKeys.CONVERSATION_ID);

  static final AttributeKey<String> CALL_KIND = AttributeKey.stringKey(SpanKeys.CALL_KIND);
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey(SpanKeys.OPERATION);
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey(SpanKeys.PROVIDER);
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey(SpanKeys.REQUEST_MODEL);
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey(SpanKeys.RESPONSE_MODEL);
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey(SpanKeys.RESPONSE_ID);
  static final AttributeKey<Boolean> REQUEST_STREAM = AttributeKey.booleanKey(SpanKeys.REQUEST_STREAM);
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey(SpanKeys.FINISH_REASONS);
  static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey(SpanKeys.TOOL_NAME);
  static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey(SpanKeys.TOOL_CALL_ID);
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey(SpanKeys.ERROR_TYPE);

  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey(SpanKeys.INPUT_TOKENS);
  static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey(SpanKeys.CACHE_READ_TOKENS);
  static final AttributeKey<Long> CACHE_CREATION_TOKENS =
      AttributeKey.longKey(SpanKeys.CACHE_CREATION_TOKENS);
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey(SpanKeys.OUTPUT_TOKENS);
  static final AttributeKey<Long> REASONING_TOKENS =
      AttributeKey.longKey(SpanKeys.REASONING_TOKENS);
  static final AttributeKey<String> SERVICE_TIER = AttributeKey.stringKey(SpanKeys.SERVICE_TIER);

  private Attributes() {}
}
