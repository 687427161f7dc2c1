package io.flowcost.agent.langchain4j.http;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.calls.Attempt;
import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.calls.LateSummary;
import io.flowcost.agent.calls.LogicalCall;
import io.flowcost.agent.calls.TokenEstimate;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.langchain4j.Proxies;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.langchain4j.TypedReads;
import io.flowcost.agent.usage.ResponseSummary;
import io.flowcost.agent.usage.UsageParser;
import java.util.List;
import java.util.Map;

/**
 * Attempts: exchanges through LangChain4j's {@code HttpClient} inside an open logical call. Usage
 * is read from the response body as it passes (never stored).
 */
public final class HttpTracing {

  /** Returned for nested clients (a logging wrapper around the real one) and calls outside a call. */
  public static final Object SKIP = new Object();

  private static final CallDepth DEPTH = new CallDepth();

  // read at these sites only: each keeps the one class it sees (Reflect.Getter)
  private static final Reflect.Getter REQUEST_BODY = Reflect.getter("body");
  private static final Reflect.Getter STATUS_CODE = Reflect.getter("statusCode");
  private static final Reflect.Getter BODY_BYTES = Reflect.getter("bodyBytes");
  private static final Reflect.Getter BODY = Reflect.getter("body");
  private static final Reflect.Getter HEADERS = Reflect.getter("headers");

  /** Whether {@link HttpExecuteAdvice} reads the exchange's values with plain calls ({@link TypedReads}). */
  public static final TypedReads TYPED =
      new TypedReads("langchain4j-http-untyped", "LangChain4j HTTP values");

  /**
   * Whether the response's {@code bodyBytes()} (LangChain4j 1.5+) is read with a plain call: off
   * on 1.4, which lacks it (then it reads null, as reflectively; nothing to log).
   */
  public static final TypedReads BODY_BYTES_TYPED = new TypedReads(null, "bodyBytes()");

  private HttpTracing() {}

  /** Whether {@link #exitSync} finishes an attempt with this token. */
  public static boolean isAttempt(Object token) {
    return token instanceof Attempt;
  }

  /**
   * Entry of {@code execute(HttpRequest, ..)}; returns an {@link Attempt} or {@link #SKIP}. Never
   * throws. The request's size is kept for a time-out estimate ({@link TokenEstimate}).
   */
  public static Object enter(Object request) {
    return enter(request, TypedReads.UNREAD);
  }

  /** {@link #enter(Object)} with the request's {@code body()} already read. */
  public static Object enter(Object request, String body) {
    return enter(request, (Object) body);
  }

  private static Object enter(Object request, Object body) {
    if (DEPTH.increment() > 1) {
      return SKIP;
    }
    try {
      BrokenInstrumentation.check("http-langchain4j");
      LogicalCall call = LogicalCall.current();
      if (call == null) {
        return SKIP;
      }
      Attempt attempt = call.startAttempt();
      TokenEstimate.recordRequest(
          attempt, body == TypedReads.UNREAD ? REQUEST_BODY.callString(request) : (String) body);
      return attempt;
    } catch (Throwable t) {
      AgentLog.failure("http enter", t);
      return SKIP;
    }
  }

  /** Exit of the synchronous {@code execute(HttpRequest)}. */
  public static void exitSync(Object token, Object response, Throwable thrown) {
    DEPTH.decrement();
    if (!(token instanceof Attempt)) {
      return;
    }
    Attempt attempt = (Attempt) token;
    try {
      if (thrown != null) {
        failed(attempt, thrown, null);
      } else {
        // read as the int it is (callLong would box it again as a Long)
        Object status = STATUS_CODE.call(response);
        int code = status instanceof Number ? ((Number) status).intValue() : 0;
        succeeded(attempt, response, code, BODY_BYTES.call(response));
      }
    } catch (Throwable t) {
      AgentLog.failure("http exit", t);
    }
  }

  /**
   * {@link #exitSync(Object, Object, Throwable)} of an answer whose {@code statusCode()} and {@code
   * bodyBytes()} (null when absent) the advice read.
   */
  public static void exitSync(Object token, Object response, int code, Object bytes) {
    DEPTH.decrement();
    if (!(token instanceof Attempt)) {
      return;
    }
    try {
      succeeded((Attempt) token, response, code, bytes);
    } catch (Throwable t) {
      AgentLog.failure("http exit", t);
    }
  }

  /** Finishes an attempt with its answer. */
  private static void succeeded(Attempt attempt, Object response, int code, Object bytes) {
    // the answer's usage and the provider-cost header read on the export thread when no cap
    // needs them now (LateAnswer)
    if (!(bytes instanceof byte[] && attempt.usageCanWait()
        && attempt.succeededLater(code, new LateAnswer((byte[]) bytes, response)))) {
      attempt.providerCostHeader(header(response, HttpExchange.PROVIDER_COST_HEADER));
      attempt.succeeded(code, summary(bytes, response));
    }
  }

  /**
   * The usage of a whole response. Read from the bytes the client received ({@code bodyBytes()},
   * LangChain4j 1.4+: the response's own array, no copy) rather than from {@code body()}, which
   * decodes a new {@code String} of the whole body on every call; from {@code body()} when there
   * are no bytes to read or they do not parse (a body in a charset other than UTF-8 or UTF-16/32).
   * Without the answer's tool calls when read from the bytes ({@link
   * UsageParser#parseWithoutToolCalls}): LangChain4j's tool executions are traced by its own
   * hook, nothing infers them from this wire.
   */
  static ResponseSummary summary(Object response) {
    return summary(BODY_BYTES.call(response), response);
  }

  /** {@link #summary(Object)} of the {@code bodyBytes()} already read from {@code response}. */
  static ResponseSummary summary(Object bytes, Object response) {
    if (bytes instanceof byte[]) {
      ResponseSummary summary = UsageParser.parseWithoutToolCalls((byte[]) bytes);
      if (summary != null) {
        return summary;
      }
    }
    return UsageParser.parse(BODY.callString(response));
  }

  /**
   * An answer read when its attempt's span is exported ({@link Attempt#succeededLater}): the
   * client's own body bytes (no copy; LangChain4j's response keeps them, unchanged) and the
   * response, should they not parse and {@code body()} be needed, read as {@link #summary(Object,
   * Object)} reads them now.
   */
  private static final class LateAnswer extends LateSummary {
    private final byte[] bytes;
    private final Object response;

    LateAnswer(byte[] bytes, Object response) {
      super(bytes.length);
      this.bytes = bytes;
      this.response = response;
    }

    @Override
    protected ResponseSummary read() {
      return summary(bytes, response);
    }

    @Override
    protected String providerCostHeader() {
      return header(response, HttpExchange.PROVIDER_COST_HEADER);
    }
  }

  /** Wraps the SSE listener of the streaming {@code execute}; unchanged when skipped. */
  public static Object wrapListener(Object token, Object listener) {
    if (!(token instanceof Attempt) || listener == null) {
      return listener;
    }
    try {
      return Proxies.wrap(
          listener,
          "dev.langchain4j.http.client.sse.ServerSentEventListener",
          new SseListenerProxy((Attempt) token, listener));
    } catch (Throwable t) {
      AgentLog.failure("http wrap listener", t);
      return listener;
    }
  }

  /** Exit of the streaming {@code execute}: only a synchronous throw finishes the attempt here. */
  public static void exitStreaming(Object token, Throwable thrown) {
    DEPTH.decrement();
    if (token instanceof Attempt && thrown != null) {
      failed((Attempt) token, thrown, null);
    }
  }

  /**
   * The first value of a header of a LangChain4j {@code SuccessfulHttpResponse} ({@code headers()}
   * is a plain map whose key case depends on the client), or {@code null}. The name as given is
   * looked up first (one hash lookup when the server spelled it so, or in a case-insensitive map);
   * only then is the map walked for another spelling, with {@code forEach} and this thread's
   * {@link HeaderFinder}: an unmodifiable map's key set, its iterator (and its entry iterator's
   * wrapper of every entry) are new objects, and this runs on every response while the header is
   * usually absent.
   */
  static String header(Object response, String name) {
    Object headers = HEADERS.call(response);
    if (!(headers instanceof Map)) {
      return null;
    }
    Map<?, ?> map = (Map<?, ?>) headers;
    Object value = exactly(map, name);
    if (value == null && !caseInsensitive(map)) {
      value = HeaderFinder.find(map, name);
    }
    if (value instanceof List && !((List<?>) value).isEmpty()) {
      value = ((List<?>) value).get(0);
    }
    return value instanceof String ? (String) value : null;
  }

  /**
   * Walks a header map for the first key equal to a name ignoring case; one per thread, reused
   * (nothing keeps it: {@code forEach} returns before {@link #find} does).
   */
  private static final class HeaderFinder implements java.util.function.BiConsumer<Object, Object> {
    private static final ThreadLocal<HeaderFinder> MINE = ThreadLocal.withInitial(HeaderFinder::new);

    private String name;
    private boolean found;
    private Object value;

    /** The value of the first key equal to {@code name} ignoring case, or {@code null}. */
    static Object find(Map<?, ?> map, String name) {
      HeaderFinder finder = MINE.get();
      finder.name = name;
      try {
        map.forEach(finder);
        return finder.value;
      } finally {
        finder.name = null;
        finder.found = false;
        finder.value = null;
      }
    }

    @Override
    public void accept(Object key, Object value) {
      if (!found && key instanceof String && name.equalsIgnoreCase((String) key)) {
        found = true;
        this.value = value;
      }
    }
  }

  /** {@code Collections.unmodifiableMap}'s view, the JDK client's headers' class. */
  private static final Class<?> UNMODIFIABLE_MAP =
      java.util.Collections.unmodifiableMap(new java.util.TreeMap<>()).getClass();

  /**
   * Whether the map already looks names up ignoring case: the JDK client's headers ({@code
   * HttpHeaders.map()}, a {@code TreeMap} ordered by {@code String.CASE_INSENSITIVE_ORDER}), so an
   * absent answer is final and no walk is needed.
   */
  private static boolean caseInsensitive(Map<?, ?> map) {
    if (map instanceof java.util.SortedMap) {
      return ((java.util.SortedMap<?, ?>) map).comparator() == String.CASE_INSENSITIVE_ORDER;
    }
    if (map.getClass() != UNMODIFIABLE_MAP) {
      return false;
    }
    // HttpHeaders.map() is that TreeMap behind Collections.unmodifiableMap, which is no SortedMap;
    // its key set's spliterator is the TreeMap's own, and a SORTED spliterator names its order
    // (Spliterator.getComparator). Cheaper than the walk: that touches every entry and key of a
    // map read long after the answer arrived (the export thread), out of the cache by then.
    java.util.Spliterator<?> keys = map.keySet().spliterator();
    return keys.hasCharacteristics(java.util.Spliterator.SORTED)
        && keys.getComparator() == String.CASE_INSENSITIVE_ORDER;
  }

  /** {@code map.get(name)}, or {@code null} where the map cannot look up a string key. */
  private static Object exactly(Map<?, ?> map, String name) {
    try {
      return map.get(name);
    } catch (ClassCastException | NullPointerException e) {
      return null; // a sorted map of keys that are not strings: the walk decides
    }
  }

  static void failed(Attempt attempt, Throwable error, ResponseSummary partial) {
    int status = statusOf(error);
    if (status == 0 && TokenEstimate.isReadTimeout(error)) {
      attempt.readTimedOut();
    }
    attempt.failed(status, status > 0 ? "http_" + status : error.getClass().getName(), partial);
  }

  /** The HTTP status of an {@code HttpException} (or one in its cause chain), else 0. */
  static int statusOf(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (Reflect.isInstance(t, "dev.langchain4j.exception.HttpException")) {
        Long status = Reflect.callLong(t, "statusCode");
        return status == null ? 0 : status.intValue();
      }
    }
    return 0;
  }
}
