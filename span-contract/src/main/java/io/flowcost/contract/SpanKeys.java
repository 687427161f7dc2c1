package io.flowcost.contract;

import java.util.List;

/**
 * Every span and resource attribute key Flowcost writes or reads, spelled once
 * ({@code docs/spans.md}). Typed keys (OpenTelemetry {@code AttributeKey}s) are built from these
 * by the producers; the collector reads spans by these names.
 *
 * <p>Keys under {@code flowcost.} are Flowcost's own; {@code gen_ai.} keys follow the
 * OpenTelemetry GenAI semantic conventions, older spellings included where producers still send
 * them (documented beside the current one).
 */
public final class SpanKeys {

  private SpanKeys() {}

  // ---- resource ----------------------------------------------------------------------------

  /** Resource: the producing service. */
  public static final String SERVICE_NAME = "service.name";
  /** Resource: the agent's version. */
  public static final String AGENT_VERSION = "flowcost.agent.version";
  /** Resource: spans the agent dropped to keep its spool bounded (a count since the last report). */
  public static final String AGENT_DROPPED_SPANS = "flowcost.agent.dropped_spans";
  /** Resource: the LangChain4j integration's version. */
  public static final String LANGCHAIN4J_VERSION = "flowcost.langchain4j.version";

  // ---- workflow and step spans -------------------------------------------------------------

  /** {@code true} on a workflow's root span. */
  public static final String WORKFLOW_ROOT = "flowcost.workflow.root";
  /** The workflow's name (its intent). */
  public static final String WORKFLOW_NAME = "flowcost.workflow.name";
  /** How the workflow was opened: {@code ai_service}, {@code api}, {@code implicit}, … */
  public static final String WORKFLOW_SOURCE = "flowcost.workflow.source";
  /** Baggage member carrying the workflow id between services. */
  public static final String WORKFLOW_ID = "flowcost.workflow.id";
  /** Prefix of one attribute (and baggage member) per workflow tag. */
  public static final String TAG_PREFIX = "flowcost.tag.";
  /** Optional business key that outcomes may reference. */
  public static final String EXTERNAL_KEY = "flowcost.external_key";
  /** {@code true} on a step span (a nested invocation inside an open workflow). */
  public static final String STEP = "flowcost.step";
  /** The step's name. */
  public static final String STEP_NAME = "flowcost.step.name";
  /** The chat-memory id of the conversation. */
  public static final String CONVERSATION_ID = "gen_ai.conversation.id";
  /** The agent's name (GenAI conventions). */
  public static final String AGENT_NAME = "gen_ai.agent.name";
  /** The end user. */
  public static final String ENDUSER_ID = "enduser.id";
  /** The error's type (an exception class name, {@code http_<status>}); never its message. */
  public static final String ERROR_TYPE = "error.type";

  // ---- call spans --------------------------------------------------------------------------

  /** The call's kind: {@link CallKind#wire()}. */
  public static final String CALL_KIND = "flowcost.call.kind";
  /** The GenAI operation: {@link GenAiOperation#wire()}, or a foreign producer's spelling. */
  public static final String OPERATION = "gen_ai.operation.name";
  /** The provider: {@link Provider#wire()}, or a foreign producer's spelling. */
  public static final String PROVIDER = "gen_ai.provider.name";
  /** The provider before GenAI conventions 1.37 renamed it to {@link #PROVIDER}. */
  public static final String SYSTEM = "gen_ai.system";
  /** The model requested. */
  public static final String REQUEST_MODEL = "gen_ai.request.model";
  /** The model that answered. */
  public static final String RESPONSE_MODEL = "gen_ai.response.model";
  /** The provider's id of its response ({@code chatcmpl-…}, {@code msg_…}). */
  public static final String RESPONSE_ID = "gen_ai.response.id";
  /** {@code true} for a streaming call. */
  public static final String REQUEST_STREAM = "gen_ai.request.stream";
  /** The response's finish reasons (a string array). */
  public static final String FINISH_REASONS = "gen_ai.response.finish_reasons";
  /** A tool call's tool (a retrieval's retriever or store class). */
  public static final String TOOL_NAME = "gen_ai.tool.name";
  /** The model's id of a tool call. */
  public static final String TOOL_CALL_ID = "gen_ai.tool.call.id";
  /** Number of attempt spans under a logical call span (0 or absent: the call is its own). */
  public static final String ATTEMPTS = "flowcost.attempts";
  /** {@code discarded} or {@code failed_step}: the producer knows the answer was thrown away. */
  public static final String WASTE_CAUSE = "flowcost.waste_cause";
  /** A retrieval's {@code ContentRetriever} / {@code EmbeddingStore} class simple name. */
  public static final String RETRIEVAL_SOURCE = "flowcost.retrieval.source";
  /** A retrieval's number of results (never their content). */
  public static final String RETRIEVAL_RESULTS = "flowcost.retrieval.results";

  // ---- attempt spans -----------------------------------------------------------------------

  /** The attempt's number, 1, 2, … */
  public static final String ATTEMPT = "flowcost.attempt";
  /** On attempts: the span id (16 hex) of the logical call span. */
  public static final String CALL_ID = "flowcost.call.id";
  /** On attempts: the span id of the logical call's parent (workflow, step, tool, retrieval). */
  public static final String CALL_PARENT_ID = "flowcost.call.parent_id";
  /** The HTTP exchange's status. */
  public static final String HTTP_STATUS = "http.response.status_code";
  /** {@code http} calls: request host. */
  public static final String SERVER_ADDRESS = "server.address";
  /** {@code http} calls: request port. */
  public static final String SERVER_PORT = "server.port";
  /** {@code http} calls: request path, never the query string. */
  public static final String URL_PATH = "url.path";
  /** {@code http} calls: request method. */
  public static final String HTTP_METHOD = "http.request.method";

  // ---- usage (normalised by the producer: DESIGN.md "Tokens and cost") -----------------------

  /** All prompt tokens, cache reads and writes included. */
  public static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";
  /** Older spelling of {@link #INPUT_TOKENS}, still sent by some instrumentations. */
  public static final String PROMPT_TOKENS = "gen_ai.usage.prompt_tokens";
  /** Cache reads, part of input. */
  public static final String CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens";
  /**
   * Cache writes, part of input: the GenAI conventions' current name (genai PR #440). Producers
   * still write {@link #CACHE_CREATION_TOKENS}; readers accept both, this one first.
   */
  public static final String CACHE_WRITE_TOKENS = "gen_ai.usage.cache_write.input_tokens";
  /** Cache writes: the name {@link #CACHE_WRITE_TOKENS} replaced; what Flowcost's producers write. */
  public static final String CACHE_CREATION_TOKENS = "gen_ai.usage.cache_creation.input_tokens";
  /** Anthropic 1-hour cache writes, part of cache writes. */
  public static final String CACHE_WRITE_1H_TOKENS =
      "flowcost.usage.cache_creation_1h.input_tokens";
  /** All billed output, reasoning included. */
  public static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
  /** Older spelling of {@link #OUTPUT_TOKENS}. */
  public static final String COMPLETION_TOKENS = "gen_ai.usage.completion_tokens";
  /** Reasoning tokens, part of output. */
  public static final String REASONING_TOKENS = "gen_ai.usage.reasoning.output_tokens";
  /** Input plus output, sent by some instrumentations (Spring AI); never read for pricing. */
  public static final String TOTAL_TOKENS = "gen_ai.usage.total_tokens";
  /** {@code true} when the tokens are an estimate (billed but not reported). */
  public static final String USAGE_ESTIMATED = "flowcost.usage.estimated";
  /** The service tier the provider served, as the agent reports it for any provider. */
  public static final String SERVICE_TIER = "flowcost.service_tier";
  /** The service tier OpenAI served (response {@code service_tier}). */
  public static final String OPENAI_SERVICE_TIER = "openai.response.service_tier";
  /** Older spelling of {@link #OPENAI_SERVICE_TIER}. */
  public static final String OPENAI_SERVICE_TIER_OLD = "gen_ai.openai.response.service_tier";

  // ---- provider-reported cost ---------------------------------------------------------------

  /** The agent's: cost in USD the provider or gateway reported, an exact decimal string. */
  public static final String PROVIDER_COST_USD = "flowcost.provider_cost_usd";
  /** GenAI conventions' proposal (genai PR #443): the cost's amount. */
  public static final String COST_AMOUNT = "gen_ai.usage.cost.amount";
  /** GenAI conventions' proposal: the cost's currency (USD when absent). */
  public static final String COST_CURRENCY = "gen_ai.usage.cost.currency";
  /** The bare cost some instrumentations send. */
  public static final String COST_BARE = "gen_ai.usage.cost";
  /** A LiteLLM proxy's response-cost header captured as a span attribute. */
  public static final String LITELLM_COST_HEADER = "http.response.header.x-litellm-response-cost";

  // ---- cap breach spans ---------------------------------------------------------------------

  /** {@code true}: marks a cap breach span. */
  public static final String CAP_BREACH = "flowcost.cap.breach";
  /** The cap's kind ({@code max-cost-usd}, …). */
  public static final String CAP_KIND = "flowcost.cap.kind";
  /** The cap, a plain decimal in {@link #CAP_UNIT}. */
  public static final String CAP_LIMIT = "flowcost.cap.limit";
  /** The spend by that measure when the next call was about to start. */
  public static final String CAP_SPENT = "flowcost.cap.spent";
  /** {@code USD}, {@code tokens}, {@code calls} or {@code ms}. */
  public static final String CAP_UNIT = "flowcost.cap.unit";
  /** {@code warn} or {@code enforce}. */
  public static final String CAP_MODE = "flowcost.cap.mode";
  /** {@code true}: the call was refused. */
  public static final String CAP_ENFORCED = "flowcost.cap.enforced";
  /** Model calls the workflow had started. */
  public static final String CAP_MODEL_CALLS = "flowcost.cap.model_calls";
  /** Tool calls the workflow had started. */
  public static final String CAP_TOOL_CALLS = "flowcost.cap.tool_calls";
  /** The workflow's cost as the agent priced it (informational). */
  public static final String CAP_COST_USD = "flowcost.cap.cost_usd";
  /** On a {@code budget-usd} breach: the budget's owner ({@code team=payments}). */
  public static final String CAP_OWNER = "flowcost.cap.owner";
  /** On a {@code budget-usd} breach: the budget period ({@code 2026-12}). */
  public static final String CAP_PERIOD_ID = "flowcost.cap.period_id";

  // ---- foreign frameworks --------------------------------------------------------------------

  /**
   * Spring AI's own observation kind ({@code chat_client}, {@code advisor}, {@code tool_call},
   * {@code vector_store}, …): on spans whose {@link #OPERATION} is {@code framework}.
   */
  public static final String SPRING_AI_KIND = "spring.ai.kind";
  /** The value of {@link #SPRING_AI_KIND} on Spring AI's tool observation ({@code ToolCallback}). */
  public static final String SPRING_AI_KIND_TOOL_CALL = "tool_call";
  /** Spring AI's tool observations: the tool's name. */
  public static final String SPRING_AI_TOOL_NAME = "spring.ai.tool.definition.name";
  /**
   * Spring AI's chat observations: the tools offered to the model ({@code ["weather"]}), present
   * exactly when the request offered tools — so on every chat span of a tool loop.
   */
  public static final String SPRING_AI_REQUEST_TOOL_NAMES = "spring.ai.model.request.tool.names";

  /**
   * Spring AI's {@code ChatClient} observation: the chat-memory conversation id of the call (the
   * advisors' {@code ChatMemory.CONVERSATION_ID}); read as the workflow's conversation id when the
   * {@code ChatClient} span is the workflow's root.
   */
  public static final String SPRING_AI_CHAT_CLIENT_CONVERSATION_ID =
      "spring.ai.chat.client.conversation.id";

  /**
   * Attributes that carry prompt, completion, tool argument or exception text: Flowcost never
   * keeps or logs them (the collector reads an allow-list; this list documents what it skips).
   */
  public static final List<String> CONTENT_KEYS = List.of(
      "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions",
      "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.prompt",
      "gen_ai.completion", "exception.message", "exception.stacktrace");
}
