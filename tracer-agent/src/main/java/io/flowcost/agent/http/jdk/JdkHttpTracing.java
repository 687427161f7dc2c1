package io.flowcost.agent.http.jdk;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.calls.RequestBody;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.propagation.ClientPropagation;
import io.flowcost.agent.propagation.OutgoingHeaders;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Helpers of {@link JdkSendAdvice}: JDK objects are typed {@code Object} and read through {@link
 * JdkTypes}.
 */
public final class JdkHttpTracing {

  private JdkHttpTracing() {}

  /**
   * The header map of the request this thread is sending ({@code request.headers().map()}: the
   * same object at every call), and what the JDK's copy of it is to receive ({@link #map}). One
   * reused holder per thread: nothing allocated per request.
   */
  private static final class PendingHeaders {
    Object headers;
    String traceparent;
    String baggage;

    void hold(Object headers, String traceparent, String baggage) {
      if (this.headers == null && headers != null) {
        HOLDING.incrementAndGet();
      }
      this.headers = headers;
      this.traceparent = traceparent;
      this.baggage = baggage;
    }

    void clear() {
      if (headers != null) {
        HOLDING.decrementAndGet();
      }
      headers = null;
      traceparent = null;
      baggage = null;
    }
  }

  /**
   * How many threads' {@link PendingHeaders} hold a request's headers now (for the few
   * microseconds between {@link #request} and the JDK's copy). While none does, {@link #map} and
   * {@link #end} do not look at the thread-local at all: {@code HttpHeaders.of} is also called on
   * the client's own threads (response headers), which would otherwise each get a holder in their
   * thread-local map and a look-up per call. A count that drifted could only make them look
   * (the path before this count), never skip a holder that is set.
   */
  private static final AtomicInteger HOLDING = new AtomicInteger();

  private static final ThreadLocal<PendingHeaders> PENDING =
      ThreadLocal.withInitial(PendingHeaders::new);

  /**
   * Whether {@link JdkHeadersAdvice} runs in this JVM: set by its first run (building any request
   * calls {@code HttpHeaders.of}, before the request can be sent), so that a JDK whose {@code
   * HttpHeaders} could not be instrumented keeps the copying path.
   */
  private static volatile boolean headersAdvised;

  /** Tests: as if {@link JdkHeadersAdvice} ran in this JVM, or not. */
  static void headersAdvised(boolean advised) {
    headersAdvised = advised;
  }

  /**
   * Starts recording a request; returns the {@link HttpExchange}, a {@link CapRefusal} when the
   * workflow's caps refuse the model request (the advice then skips {@code sendAsync} and throws
   * it: the request never leaves the JVM), the current {@link Context} when the request is not
   * recorded (for {@link #request}'s headers: the context read once per request — inside a
   * LangChain4j call, whose own hook records the attempt, five look-ups of it were the JDK hooks'
   * most), or {@code null}. Never throws.
   */
  public static Object start(Object request) {
    try {
      URI uri = JdkTypes.uri(request);
      if (uri == null) {
        return null;
      }
      Context current = Context.current();
      HttpExchange exchange = HttpExchanges.start(
          JdkTypes.method(request),
          uri.getScheme(),
          uri.getHost(),
          uri.getPort(),
          uri.getRawPath(),
          JdkRequestBodies::read,
          request,
          null, // the JDK's own loader: the exception type comes from the context class loader
          current);
      if (exchange == null) {
        return current;
      }
      CapRefusal refused = HttpExchange.refusalOf(exchange);
      return refused != null ? refused : exchange;
    } catch (Throwable t) {
      AgentLog.failure("jdk http start", t);
      return null;
    }
  }

  /**
   * The request to send: the application's request itself. When {@link ClientPropagation} asks for
   * {@code traceparent} or baggage, they are added without copying the request where the JDK's
   * {@code HttpHeaders} is instrumented: {@code sendAsync} copies the request's headers as it
   * starts ({@code HttpHeaders.of(request.headers().map(), …)}), and {@link JdkHeadersAdvice}
   * hands that copy a view of the request's map with them added ({@link #map}), so the JDK's copy
   * is the only one; other requests are copied with the headers set ({@code
   * HttpRequest.newBuilder(request, filter)}). Either way the server receives the same headers.
   */
  public static Object request(Object exchange, Object request) {
    if (CapRefusal.isRefusal(exchange)) {
      return request; // refused by the workflow's caps: the request is never sent
    }
    try {
      URI uri = JdkTypes.uri(request);
      if (uri == null) {
        return request;
      }
      Object own = JdkTypes.headers(request);
      java.util.Map<String, java.util.List<String>> ownMap = JdkTypes.map(own);
      OutgoingHeaders headers =
          ClientPropagation.headers(
              exchange instanceof HttpExchange ? (HttpExchange) exchange : null,
              exchange instanceof Context ? (Context) exchange : null,
              uri.getScheme(),
              uri.getHost(),
              uri.getPort(),
              uri.getRawPath(),
              JdkTypes.first(ownMap, "traceparent"),
              JdkTypes.first(ownMap, "baggage"));
      Object sent = request;
      if (!headers.isEmpty()) {
        // the JDK's request class answers headers() with the same object every time, whose
        // map() is the same map every time: the one the JDK copies next
        if (headersAdvised
            && request.getClass() == JdkTypes.IMMUTABLE_REQUEST
            && ownMap != null
            // traceparent is never checked: Traceparent.header writes it from a valid span
            // context's hex ids and flags (OutgoingHeaders.compute), always a valid value
            && JdkTypes.validHeaderValue(headers.baggage())) {
          PENDING.get().hold(ownMap, headers.traceparent(), headers.baggage());
        } else {
          sent = JdkTypes.withHeaders(request, headers.traceparent(), headers.baggage());
        }
      }
      return withBodyCopy(exchange, sent);
    } catch (Throwable t) {
      AgentLog.failure("jdk http inject", t);
      return request;
    }
  }

  /**
   * A model request whose streamed body the agent could not read up front (not a byte array) is
   * sent through a {@link BodyPublisherTee}, so that its attempt has the body should a token
   * estimate be needed; any other request is returned as it is.
   */
  private static Object withBodyCopy(Object exchange, Object request) {
    if (!(exchange instanceof HttpExchange) || !((HttpExchange) exchange).needsRequestBody()) {
      return request;
    }
    try {
      BodyPublisherTee[] tee = new BodyPublisherTee[1];
      Object copy = JdkTypes.withBodyTee(request, tee);
      if (tee[0] != null) {
        BodyPublisherTee handler = tee[0];
        ((HttpExchange) exchange).requestBody(RequestBody.captured(handler::captured));
      }
      return copy;
    } catch (Throwable t) {
      AgentLog.failure("jdk http body copy", t);
      return request;
    }
  }

  /**
   * The map {@code HttpHeaders.of} copies ({@link JdkHeadersAdvice}): for the header map of the
   * request this thread is sending with headers to add, once (the JDK's copy as {@code sendAsync}
   * starts), a view of {@code map} with them added; else {@code map} itself. Never throws.
   */
  public static Object map(Object map) {
    if (!headersAdvised) {
      headersAdvised = true;
    }
    if (HOLDING.get() == 0) {
      return map; // no thread is sending headers to add: this one is not either
    }
    PendingHeaders pending = PENDING.get();
    if (pending.headers != map || map == null) {
      return map;
    }
    String traceparent = pending.traceparent;
    String baggage = pending.baggage;
    pending.clear();
    try {
      @SuppressWarnings("unchecked")
      java.util.Map<String, java.util.List<String>> own =
          (java.util.Map<String, java.util.List<String>>) map;
      return JdkTypes.headersWith(own, traceparent, baggage);
    } catch (Throwable t) {
      AgentLog.failure("jdk http headers", t);
      return map;
    }
  }

  /** Wraps the body handler so the response head and body reach the exchange. */
  public static Object handler(Object exchange, Object handler) {
    if (!(exchange instanceof HttpExchange) || handler == null) {
      return handler;
    }
    try {
      return JdkTypes.proxyBodyHandler(new BodyHandlerProxy((HttpExchange) exchange, handler));
    } catch (Throwable t) {
      AgentLog.failure("jdk http handler", t);
      return handler;
    }
  }

  /**
   * Records a failure of the send itself: thrown, or the future completing exceptionally.
   *
   * @return what {@code sendAsync} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable end(Object exchange, Object future, Throwable thrown) {
    // headers not taken (sendAsync failed before copying the request): nothing may linger
    if (HOLDING.get() != 0) {
      PENDING.get().clear();
    }
    if (!(exchange instanceof HttpExchange)) {
      return CapRefusal.thrown(exchange, thrown); // a refusal's exception, else thrown
    }
    HttpExchange ex = (HttpExchange) exchange;
    if (thrown != null) {
      ex.failed(thrown);
    } else if (future instanceof CompletableFuture) {
      // a dependent stage: the application's future is returned untouched
      ((CompletableFuture<?>) future)
          .whenComplete(
              (response, error) -> {
                if (error != null) {
                  ex.failed(error);
                }
              });
    }
    return thrown;
  }
}
