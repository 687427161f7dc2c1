package io.flowcost.langchain4j;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/** The span attributes of docs/spans.md that this integration writes. */
final class Attributes {

  static final AttributeKey<Boolean> WORKFLOW_ROOT = AttributeKey.booleanKey("flowcost.workflow.root");
  static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey("flowcost.workflow.name");
  static final AttributeKey<String> WORKFLOW_SOURCE = AttributeKey.stringKey("flowcost.workflow.source");
  static final String TAG_PREFIX = "flowcost.tag.";
  static final AttributeKey<Boolean> STEP = AttributeKey.booleanKey("flowcost.step");
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("flowcost.step.name");
  static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");

  static final AttributeKey<String> CALL_KIND = AttributeKey.stringKey("flowcost.call.kind");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<Boolean> REQUEST_STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
  static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Long> CACHE_CREATION_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> REASONING_TOKENS =
      AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");
  static final AttributeKey<String> SERVICE_TIER = AttributeKey.stringKey("flowcost.service_tier");

  private Attributes() {}
}
