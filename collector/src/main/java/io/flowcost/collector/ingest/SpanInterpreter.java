package io.flowcost.collector.ingest;

import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.contract.CallKind;
import io.flowcost.contract.CallStatus;
import io.flowcost.contract.GenAiOperation;
import io.flowcost.contract.Provider;
import io.flowcost.contract.SpanKeys;
import io.flowcost.contract.WorkflowSource;
import io.flowcost.collector.otlp.OtlpSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns OTLP spans into lake rows, one span at a time, following {@code docs/spans.md}.
 *
 * <p>Only an allow-list of attributes is read; everything else (message content, tool arguments,
 * exception messages) is never copied anywhere. A span that cannot be read (bad ids, absurd
 * token counts) is rejected and counted, and never poisons the rest of the request.
 */
public final class SpanInterpreter {

  /** Resource attribute by which an agent reports spans it dropped to keep its spool bounded. */
  static final String AGENT_DROPPED_SPANS = SpanKeys.AGENT_DROPPED_SPANS;
  /** Cache-write tokens: the GenAI conventions' current name and the name it replaced. */
  static final String CACHE_WRITE_TOKENS = SpanKeys.CACHE_WRITE_TOKENS;
  static final String CACHE_CREATION_TOKENS = SpanKeys.CACHE_CREATION_TOKENS;
  /** The service tier OpenAI served (response {@code service_tier}): current and older key. */
  static final String OPENAI_SERVICE_TIER = SpanKeys.OPENAI_SERVICE_TIER;
  static final String OPENAI_SERVICE_TIER_OLD = SpanKeys.OPENAI_SERVICE_TIER_OLD;
  /** The served tier as Flowcost's agent reports it for any provider. */
  static final String FLOWCOST_SERVICE_TIER = SpanKeys.SERVICE_TIER;
  /**
   * Cost the provider or a gateway reported, in USD: the GenAI conventions' proposed
   * {@code gen_ai.usage.cost.amount} (with {@code gen_ai.usage.cost.currency}, USD if absent),
   * Flowcost's agent ({@code flowcost.provider_cost_usd}: OpenRouter's {@code usage.cost}, a
   * LiteLLM proxy's {@code x-litellm-response-cost}), the bare {@code gen_ai.usage.cost} some
   * instrumentations send, and the LiteLLM proxy header captured as a span attribute.
   */
  static final String COST_AMOUNT = SpanKeys.COST_AMOUNT;
  static final String COST_CURRENCY = SpanKeys.COST_CURRENCY;
  static final String FLOWCOST_PROVIDER_COST = SpanKeys.PROVIDER_COST_USD;
  static final String COST_BARE = SpanKeys.COST_BARE;
  static final String LITELLM_COST_HEADER = SpanKeys.LITELLM_COST_HEADER;
  /** A larger report is not a count but garbage; it is ignored rather than skewing coverage. */
  private static final long MAX_DROPPED_REPORT = 1_000_000_000L;

  /** Spans starting further ahead of the collector's clock come from a wrong clock. */
  private static final java.time.Duration MAX_CLOCK_AHEAD = java.time.Duration.ofHours(24);

  /** Tool loops whose last round is remembered to undo Spring AI's cumulative usage. */
  static final int TOOL_LOOPS_REMEMBERED = 10_000;

  private final Clock clock;
  private final ToolLoopUsage toolLoops = new ToolLoopUsage(TOOL_LOOPS_REMEMBERED);
  /** Provider responses remembered to count a request once when two producers report it. */
  static final int RESPONSES_REMEMBERED = 100_000;
  private final ResponseIds responses = new ResponseIds(RESPONSES_REMEMBERED);

  public SpanInterpreter(Clock clock) {
    this.clock = clock;
  }

  /** Interprets every span of {@code request}. */
  public IngestBatch interpret(ExportTraceServiceRequest request) {
    return interpret(OtlpTraceDecoder.Decoded.of(request));
  }

  /**
   * Interprets every span the decoder could read, and counts the spans it rejected (received and
   * rejected, under their resource's service, by reason) beside the interpreter's own rejections.
   */
  public IngestBatch interpret(OtlpTraceDecoder.Decoded decoded) {
    OtlpSpans table = decoded.table();
    Instant receivedAt = clock.instant();
    List<CallRecord> calls = new ArrayList<>();
    List<WorkflowSpanRecord> workflows = new ArrayList<>();
    List<CapBreachRecord> breaches = new ArrayList<>();
    Map<String, WorkflowHint> hints = new java.util.LinkedHashMap<>();
    Map<String, Integer> received = new HashMap<>();
    Map<String, Integer> rejectedByReason = new HashMap<>();
    Map<String, Integer> rejectedByService = new HashMap<>();
    Map<String, Long> agentDropped = new HashMap<>();
    TraceIds traceIds = new TraceIds();
    Attributes.Index attributeIndex = new Attributes.Index(); // one per request and thread
    int total = 0;
    for (int r = 0; r < table.resources(); r++) {
      Attributes resource = Attributes.ofResource(table, r);
      String service = resource.string(SpanKeys.SERVICE_NAME);
      if (service == null || service.isBlank()) {
        service = "unknown_service";
      }
      service = limit(service, 256); // capped like every other name
      for (OtlpTraceDecoder.Rejected bad : decoded.rejected()) {
        if (bad.resourceIndex() == r) {
          total++;
          received.merge(service, 1, Integer::sum);
          rejectedByReason.merge(bad.reason(), 1, Integer::sum);
          rejectedByService.merge(service, 1, Integer::sum);
        }
      }
      Long dropped = droppedReport(resource);
      if (dropped != null) {
        agentDropped.merge(service, dropped, Long::sum);
      }
      int[] order = inStartOrder(table, r);
      if (order.length > 0) {
        received.merge(service, order.length, Integer::sum);
        total += order.length;
      }
      for (int s : order) {
        try {
          interpret(table, s, service, receivedAt, calls, workflows, breaches, hints, traceIds,
              attributeIndex);
        } catch (IllegalArgumentException e) {
          rejectedByReason.merge(reasonCode(e.getMessage()), 1, Integer::sum);
          rejectedByService.merge(service, 1, Integer::sum);
        }
      }
    }
    return new IngestBatch(calls, workflows, total, received, rejectedByReason, rejectedByService,
        agentDropped, breaches, List.copyOf(hints.values()));
  }

  /**
   * The resource's spans by start time (a stable sort: equal starts keep their order). Why: an
   * exporter's batch is not in end order — Micrometer's OpenTelemetry bridge queued a Spring AI
   * tool span before the chat span that asked for it — and {@link ToolLoopUsage} needs the rounds
   * of a tool loop in the order they ran. Nothing else depends on the order within a request.
   */
  private static int[] inStartOrder(OtlpSpans table, int r) {
    int from = table.firstSpan(r);
    int to = table.endSpan(r);
    int[] order = new int[to - from];
    boolean sorted = true;
    for (int i = 0; i < order.length; i++) {
      order[i] = from + i;
      if (i > 0 && table.startTimeUnixNano(from + i) < table.startTimeUnixNano(from + i - 1)) {
        sorted = false;
      }
    }
    if (!sorted) {
      Integer[] boxed = new Integer[order.length];
      for (int i = 0; i < order.length; i++) {
        boxed[i] = order[i];
      }
      java.util.Arrays.sort(boxed,
          java.util.Comparator.comparingLong(table::startTimeUnixNano)); // stable
      for (int i = 0; i < order.length; i++) {
        order[i] = boxed[i];
      }
    }
    return order;
  }

  /** A malformed drop report is ignored: it must never cost the spans it arrived with. */
  private static Long droppedReport(Attributes resource) {
    try {
      Long n = resource.integer(AGENT_DROPPED_SPANS);
      return n != null && n > 0 && n <= MAX_DROPPED_REPORT ? n : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String reasonCode(String message) {
    if (message == null) {
      return "invalid_span";
    }
    int colon = message.indexOf(':');
    String head = colon > 0 ? message.substring(0, colon) : message;
    return head.length() > 120 ? head.substring(0, 120) : head;
  }

  private void interpret(
      OtlpSpans table,
      int span,
      String service,
      Instant receivedAt,
      List<CallRecord> calls,
      List<WorkflowSpanRecord> workflows,
      List<CapBreachRecord> breaches,
      Map<String, WorkflowHint> hints,
      TraceIds traceIds,
      Attributes.Index attributeIndex) {
    String traceId = traceIds.of(table, span);
    String spanId = spanId(table.spanIdLength(span), table.spanId(span), "span_id");
    String parentSpanId = table.parentSpanIdLength(span) == 0
        ? null
        : spanId(table.parentSpanIdLength(span), table.parentSpanId(span), "parent_span_id");
    Instant start = instant(table.startTimeUnixNano(span), "start_time");
    Instant end = table.endTimeUnixNano(span) == 0 ? null
        : instant(table.endTimeUnixNano(span), "end_time");
    if (start.isAfter(receivedAt.plus(MAX_CLOCK_AHEAD)) || start.isBefore(TimeBounds.EARLIEST)) {
      // a wrong clock: the row would land in a far-off partition and skew every daily figure
      throw new IllegalArgumentException("clock_skew: start_time is more than 24 h ahead of the"
          + " collector's clock or before 2000");
    }
    if (end != null && !TimeBounds.contains(end)) {
      throw new IllegalArgumentException("invalid_end_time: end_time must be "
          + TimeBounds.describe());
    }
    if (end != null && end.isBefore(start)) {
      throw new IllegalArgumentException("end_before_start: span ends before it starts");
    }
    // filed once: the ≈ 40 look-ups below are hash probes, not scans of the span's attributes
    Attributes attrs = Attributes.ofSpan(table, span, attributeIndex);
    boolean error = table.statusCode(span) == STATUS_CODE_ERROR;

    if (attrs.bool(CAP_BREACH)) {
      breaches.add(capBreach(attrs, traceId, spanId, service, start, receivedAt));
      return; // a marker, never a call or a workflow
    }
    boolean flowcostRoot = attrs.bool(SpanKeys.WORKFLOW_ROOT);
    boolean step = attrs.bool(SpanKeys.STEP);
    boolean attempt = attrs.has(SpanKeys.ATTEMPT);
    boolean flowcostCall = attempt || attrs.has(SpanKeys.CALL_KIND);
    // A foreign span is a call only when it is a provider request or a tool execution; agents,
    // workflows and a framework's client, advisor or vector-store spans only shape the workflow
    String foreignKind = flowcostCall ? null : foreignCallKind(attrs);
    boolean isCall = !flowcostRoot && !step && (flowcostCall || foreignKind != null);
    boolean foreignRoot = parentSpanId == null && !flowcostRoot && !attrs.has(SpanKeys.ATTEMPT)
        && attrs.withPrefix("flowcost.").isEmpty();

    if (flowcostRoot || foreignRoot) {
      String name = flowcostRoot ? attrs.string(SpanKeys.WORKFLOW_NAME) : null;
      if (name == null || name.isBlank()) {
        name = table.name(span);
      }
      String source = flowcostRoot
          ? orDefault(attrs.string(SpanKeys.WORKFLOW_SOURCE), WorkflowSource.API.wire())
          : WorkflowSource.FOREIGN.wire();
      workflows.add(new WorkflowSpanRecord(
          traceId, spanId, limit(name, 256), service, source, start, end, error,
          error ? errorType(attrs) : null,
          limitTags(attrs.withPrefix(SpanKeys.TAG_PREFIX)),
          limit(attrs.string(SpanKeys.EXTERNAL_KEY), 256),
          limit(orDefault(attrs.string(SpanKeys.CONVERSATION_ID),
              attrs.string(SpanKeys.SPRING_AI_CHAT_CLIENT_CONVERSATION_ID)), 256),
          limit(attrs.string(SpanKeys.ENDUSER_ID), 256),
          receivedAt));
    }
    if (!isCall) {
      return;
    }
    String workflowName = attrs.string(SpanKeys.WORKFLOW_NAME);
    if (workflowName != null && !workflowName.isBlank() && !hints.containsKey(traceId)) {
      // the agent copies the workflow's name and tags onto its call spans: live attribution
      hints.put(traceId, new WorkflowHint(traceId, limit(workflowName, 256), service,
          limitTags(attrs.withPrefix(SpanKeys.TAG_PREFIX))));
    }
    Long declaredAttempts = attrs.integer(SpanKeys.ATTEMPTS);
    if (!attempt && declaredAttempts != null && declaredAttempts > 0) {
      return; // a logical call whose attempts are rows of their own
    }
    String operation = attrs.string(SpanKeys.OPERATION);
    String kind = flowcostCall ? kind(attrs.string(SpanKeys.CALL_KIND), operation) : foreignKind;
    Integer httpStatus = null;
    Long status = attrs.integer(SpanKeys.HTTP_STATUS);
    if (status != null) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("invalid_http_status: http.response.status_code out of range");
      }
      httpStatus = status.intValue();
    }
    boolean failed = error || (httpStatus != null && httpStatus >= 400);
    int attemptNo = 1;
    String callId = spanId;
    if (attempt) {
      long n = attrs.integer(SpanKeys.ATTEMPT);
      if (n < 1 || n > 1000) {
        throw new IllegalArgumentException("invalid_attempt: flowcost.attempt out of range");
      }
      attemptNo = (int) n;
      String declared = attrs.string(SpanKeys.CALL_ID);
      callId = declared != null ? normaliseHex(declared, 8, SpanKeys.CALL_ID)
          : parentSpanId != null ? parentSpanId : spanId;
    }
    Usage usage = usage(attrs);
    if (!flowcostCall && !failed && usage != null && usage.reportsNothing()
        && !CallKind.TOOL.wire().equals(kind)) {
      // Another producer's answered request "billed" 0 in / 0 out never happened: it got no usage
      // (Spring AI's OpenAI stream without include_usage). The row keeps NULL tokens, so it is
      // priced as unknown — its workflow's cost incomplete, the reason logged by the coster and
      // counted in flowcost_usage_missing_calls_total — never as a free, complete call.
      usage = null;
    }
    String finishReason = finishReason(attrs);
    if (!flowcostCall && usage != null && attrs.has(SpanKeys.SPRING_AI_REQUEST_TOOL_NAMES)) {
      usage = toolLoops.perRequest(traceId, parentSpanId, start, end, finishReason, usage);
    }
    String wasteCause = attrs.string(SpanKeys.WASTE_CAUSE);
    if (wasteCause != null && !Set.of("discarded", "failed_step").contains(wasteCause)) {
      wasteCause = null;
    }
    if (wasteCause == null && failed && usage != null && (usage.input() > 0 || usage.output() > 0)) {
      wasteCause = "discarded"; // billed, then failed: e.g. a time-out after the provider answered
    }
    String provider = Provider.normalise(
        orDefault(attrs.string(SpanKeys.PROVIDER), attrs.string(SpanKeys.SYSTEM)));
    // The tier the provider served (from its response), not the one requested: a request
    // for "priority" or "auto" may be served — and billed — as "default".
    String tier = orDefault(attrs.string(FLOWCOST_SERVICE_TIER),
        orDefault(attrs.string(OPENAI_SERVICE_TIER), attrs.string(OPENAI_SERVICE_TIER_OLD)));
    if (usage != null && tier != null && usage.serviceTier() == null) {
      usage = new Usage(usage.input(), usage.cacheRead(), usage.cacheWrite(), usage.cacheWrite1h(),
          usage.output(), usage.reasoning(), usage.estimated(), limit(tier, 32));
    }
    String callParent = parentSpanId;
    if (attempt) {
      String declaredParent = attrs.string(SpanKeys.CALL_PARENT_ID);
      callParent = declaredParent == null ? null
          : normaliseHex(declaredParent, 8, SpanKeys.CALL_PARENT_ID);
    }
    String responseId = CallKind.TOOL.wire().equals(kind) ? null
        : limit(attrs.string(SpanKeys.RESPONSE_ID), 256);
    // The same provider response, already reported by another producer's span: still written —
    // the lake's calls view keeps one report per response id, Flowcost's first, whichever
    // collector received which — but live spend (budgets, alerts) skips the repeat.
    boolean repeated = !responses.firstReport(responseId, spanId, flowcostCall);
    calls.add(new CallRecord(
        traceId, callId, spanId, callParent, kind, limit(operation, 64), service,
        limit(provider, 64),
        limit(attrs.string(SpanKeys.REQUEST_MODEL), 256),
        limit(attrs.string(SpanKeys.RESPONSE_MODEL), 256),
        attemptNo,
        (failed ? CallStatus.ERROR : CallStatus.OK).wire(),
        failed ? errorType(attrs, httpStatus) : null,
        httpStatus,
        limit(finishReason, 64),
        attrs.bool(SpanKeys.REQUEST_STREAM),
        usage,
        null, null, null, false,
        wasteCause != null,
        wasteCause,
        limit(orDefault(attrs.string(SpanKeys.TOOL_NAME), attrs.string(SpanKeys.SPRING_AI_TOOL_NAME)),
            256),
        limit(orDefault(attrs.string(SpanKeys.SERVER_ADDRESS), null), 256),
        limit(attrs.string(SpanKeys.URL_PATH), 512),
        start, end, null, null, receivedAt, providerCost(attrs), responseId, !flowcostCall,
        repeated));
  }

  /** The provider-reported cost in USD at the lake's scale, or null (none, not USD, invalid). */
  private static java.math.BigDecimal providerCost(Attributes a) {
    java.math.BigDecimal cost = a.nonNegativeDecimal(FLOWCOST_PROVIDER_COST);
    if (cost == null) {
      String currency = a.string(COST_CURRENCY);
      if (currency == null || "USD".equalsIgnoreCase(currency.trim())) {
        cost = a.nonNegativeDecimal(COST_AMOUNT);
        if (cost == null) {
          cost = a.nonNegativeDecimal(COST_BARE);
        }
      }
    }
    if (cost == null) {
      cost = a.nonNegativeDecimal(LITELLM_COST_HEADER);
    }
    // DECIMAL(18,9): at most 9 integer digits; a larger "cost" is garbage, not a call's cost
    if (cost == null || cost.compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)) >= 0) {
      return null;
    }
    return cost.setScale(9, java.math.RoundingMode.HALF_EVEN);
  }

  /** Marks the agent's cap breach span ({@code docs/spans.md#cap-breach-spans}). */
  static final String CAP_BREACH = SpanKeys.CAP_BREACH;
  /** Cap kinds the agent records: the keys of {@code CapKind} (budget-usd: a workflow refused by its owner's hard budget). */
  static final Set<String> CAP_KINDS =
      Set.of("max-cost-usd", "max-tokens", "max-model-calls", "max-tool-calls", "max-wall-time",
          "budget-usd");
  /** A limit or spend must fit DECIMAL(18,9). */
  private static final java.math.BigDecimal MAX_CAP_VALUE = new java.math.BigDecimal("1e9");

  private static CapBreachRecord capBreach(Attributes a, String traceId, String spanId,
      String service, Instant start, Instant receivedAt) {
    String kind = a.string(SpanKeys.CAP_KIND);
    if (kind == null || !CAP_KINDS.contains(kind)) {
      throw new IllegalArgumentException("invalid_cap_breach: flowcost.cap.kind is not a known cap");
    }
    String mode = a.string(SpanKeys.CAP_MODE);
    if (mode != null && !Set.of("warn", "enforce").contains(mode)) {
      mode = null;
    }
    String unit = a.string(SpanKeys.CAP_UNIT);
    if (unit != null && !Set.of("USD", "tokens", "calls", "ms").contains(unit)) {
      unit = null;
    }
    Long modelCalls = a.integer(SpanKeys.CAP_MODEL_CALLS);
    Long toolCalls = a.integer(SpanKeys.CAP_TOOL_CALLS);
    return new CapBreachRecord(traceId, spanId, limit(a.string(SpanKeys.WORKFLOW_NAME), 256),
        service, kind, capValue(a.string(SpanKeys.CAP_LIMIT), SpanKeys.CAP_LIMIT),
        capValue(a.string(SpanKeys.CAP_SPENT), SpanKeys.CAP_SPENT), unit, mode,
        a.bool(SpanKeys.CAP_ENFORCED),
        modelCalls == null || modelCalls < 0 ? null : modelCalls,
        toolCalls == null || toolCalls < 0 ? null : toolCalls,
        start, receivedAt);
  }

  private static java.math.BigDecimal capValue(String text, String field) {
    if (text == null) {
      return null;
    }
    try {
      java.math.BigDecimal v = new java.math.BigDecimal(text.trim());
      if (v.signum() < 0 || v.compareTo(MAX_CAP_VALUE) >= 0 || v.scale() > 9) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid_cap_breach: " + field
          + " is not a decimal in [0, 1e9) with at most 9 decimals");
    }
  }

  private static Usage usage(Attributes a) {
    Long input = a.integer(SpanKeys.INPUT_TOKENS);
    if (input == null) {
      input = a.integer(SpanKeys.PROMPT_TOKENS);
    }
    Long output = a.integer(SpanKeys.OUTPUT_TOKENS);
    if (output == null) {
      output = a.integer(SpanKeys.COMPLETION_TOKENS);
    }
    Long cacheRead = a.integer(SpanKeys.CACHE_READ_TOKENS);
    Long cacheWrite = a.integer(CACHE_WRITE_TOKENS);
    if (cacheWrite == null) {
      cacheWrite = a.integer(CACHE_CREATION_TOKENS);
    }
    Long cacheWrite1h = a.integer(SpanKeys.CACHE_WRITE_1H_TOKENS);
    Long reasoning = a.integer(SpanKeys.REASONING_TOKENS);
    if (input == null && output == null && cacheRead == null && cacheWrite == null) {
      return null;
    }
    try {
      return new Usage(n(input), n(cacheRead), n(cacheWrite), n(cacheWrite1h), n(output),
          n(reasoning), a.bool(SpanKeys.USAGE_ESTIMATED), null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid_usage: " + e.getMessage(), e);
    }
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }

  /**
   * The row's kind: the producer's {@code flowcost.call.kind} when it is one this version knows,
   * else the operation's ({@code embeddings} → {@code embedding}, {@code execute_tool} → {@code
   * tool}), else {@code model}.
   */
  static String kind(String declared, String operation) {
    return CallKind.fromWire(declared)
        .or(() -> GenAiOperation.fromWire(operation).flatMap(GenAiOperation::callKind))
        .orElse(CallKind.MODEL)
        .wire();
  }

  /**
   * The kind of call a span from another producer is, or null when it only shapes its workflow:
   * an inference operation is a {@code model} or {@code embedding} call, {@code execute_tool} or
   * Spring AI's tool observation ({@code spring.ai.kind = tool_call}, whose operation is {@code
   * framework}) a {@code tool} call; {@code invoke_agent}, {@code invoke_workflow}, {@code
   * create_agent}, {@code framework} and any operation this version does not know are not calls, so
   * that a grouping span never becomes an unpriced model row. A span with {@code gen_ai.system} and
   * no operation at all (producers older than the operation attribute) is a model call.
   */
  static String foreignCallKind(Attributes attrs) {
    if (SpanKeys.SPRING_AI_KIND_TOOL_CALL.equals(attrs.string(SpanKeys.SPRING_AI_KIND))) {
      return CallKind.TOOL.wire();
    }
    String operation = attrs.string(SpanKeys.OPERATION);
    if (operation == null) {
      return attrs.has(SpanKeys.SYSTEM) ? CallKind.MODEL.wire() : null;
    }
    return GenAiOperation.fromWire(operation)
        .flatMap(GenAiOperation::callKind)
        .map(CallKind::wire)
        .orElse(null);
  }

  /**
   * The first finish reason: OTLP sends a string array; Micrometer-based producers (Spring AI) a
   * string such as {@code ["TOOL_CALLS"]}, unwrapped here.
   */
  static String finishReason(Attributes attrs) {
    String v = attrs.string(SpanKeys.FINISH_REASONS);
    if (v == null) {
      return null;
    }
    String t = v.trim();
    if (t.startsWith("[")) {
      t = t.substring(1, t.endsWith("]") ? t.length() - 1 : t.length());
      int comma = t.indexOf(',');
      t = (comma >= 0 ? t.substring(0, comma) : t).trim();
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
        t = t.substring(1, t.length() - 1);
      }
    }
    return t.isEmpty() ? null : t;
  }

  private static String errorType(Attributes attrs) {
    return orDefault(limit(attrs.string(SpanKeys.ERROR_TYPE), 128), "error");
  }

  private static String errorType(Attributes attrs, Integer httpStatus) {
    String declared = limit(attrs.string(SpanKeys.ERROR_TYPE), 128);
    if (declared != null) {
      return declared;
    }
    return httpStatus != null && httpStatus >= 400 ? "http_" + httpStatus : "error";
  }

  /** {@code Status.StatusCode.STATUS_CODE_ERROR}'s number. */
  private static final int STATUS_CODE_ERROR = 2;

  /**
   * A request's trace ids as hex. The spans of a trace mostly arrive together, so the last id's
   * text is kept: its spans' rows share one {@code String} (same text) instead of one per span.
   * One per request, used by one thread.
   */
  private static final class TraceIds {
    private long hi;
    private long lo;
    private String last;

    String of(OtlpSpans table, int span) {
      if (table.traceIdLength(span) != 16) {
        throw new IllegalArgumentException("invalid_trace_id: must be 16 bytes");
      }
      long h = table.traceIdHigh(span);
      long l = table.traceIdLow(span);
      if (h == 0 && l == 0) {
        throw new IllegalArgumentException("invalid_trace_id: all zeros");
      }
      if (last == null || h != hi || l != lo) {
        byte[] hex = new byte[32];
        hex(h, hex, 0);
        hex(l, hex, 16);
        last = new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1);
        hi = h;
        lo = l;
      }
      return last;
    }
  }

  private static String spanId(int length, long id, String field) {
    if (length != 8) {
      throw new IllegalArgumentException("invalid_" + field + ": must be 8 bytes");
    }
    if (id == 0) {
      throw new IllegalArgumentException("invalid_" + field + ": all zeros");
    }
    byte[] hex = new byte[16];
    hex(id, hex, 0);
    return new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(
      java.nio.charset.StandardCharsets.ISO_8859_1);

  /** {@code v} as 16 lower-case hex digits (big-endian, as the id's bytes were sent). */
  private static void hex(long v, byte[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX_DIGITS[(int) (v & 0xF)];
      v >>>= 4;
    }
  }

  private static String normaliseHex(String value, int bytes, String field) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    boolean hex = v.length() == bytes * 2;
    for (int i = 0; hex && i < v.length(); i++) { // a loop, not a stream: once per attempt span
      hex = Character.digit(v.charAt(i), 16) >= 0;
    }
    if (!hex) {
      throw new IllegalArgumentException("invalid_" + field.replace('.', '_') + ": not " + (bytes * 2) + " hex");
    }
    return v;
  }

  private static Instant instant(long epochNanos, String field) {
    if (epochNanos <= 0) {
      throw new IllegalArgumentException("invalid_" + field + ": missing");
    }
    return Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L);
  }

  private static String orDefault(String v, String dflt) {
    return v == null || v.isBlank() ? dflt : v;
  }

  static String limit(String v, int max) {
    if (v == null) {
      return null;
    }
    return v.length() <= max ? v : v.substring(0, max);
  }

  private static Map<String, String> limitTags(Map<String, String> tags) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (out.size() >= 64) {
        break;
      }
      out.put(limit(e.getKey(), 64), limit(e.getValue(), 256));
    }
    return out;
  }
}
