package io.flowcost.agent.propagation;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.HttpSettings;
import io.opentelemetry.context.Context;

/** Client side: the headers an HTTP-client instrumentation adds to one outgoing request. */
public final class ClientPropagation {

  private static final OutgoingHeaders NONE = new OutgoingHeaders(null, null);

  private ClientPropagation() {}

  /**
   * Computes the headers for a request; never throws.
   *
   * @param exchange the recorded exchange, or {@code null} when the request is not recorded
   * @param existingTraceparent the request's own {@code traceparent}, or {@code null}
   * @param existingBaggage the request's own {@code baggage}, or {@code null}
   */
  public static OutgoingHeaders headers(
      HttpExchange exchange,
      String scheme,
      String host,
      int port,
      String path,
      String existingTraceparent,
      String existingBaggage) {
    return headers(exchange, null, scheme, host, port, path, existingTraceparent, existingBaggage);
  }

  /**
   * {@link #headers(HttpExchange, String, String, int, String, String, String)} of a request not
   * recorded ({@code exchange} null) in {@code current}, the current context as the caller
   * already read it ({@code null}: read here).
   */
  public static OutgoingHeaders headers(
      HttpExchange exchange,
      Context current,
      String scheme,
      String host,
      int port,
      String path,
      String existingTraceparent,
      String existingBaggage) {
    try {
      HttpSettings settings = HttpSettings.current();
      if (settings.isCollector(scheme, host, port)) {
        return NONE; // Flowcost's own traffic (outcome-api) carries nothing of ours
      }
      Context context = exchange != null ? exchange.context()
          : current != null ? current : Context.current();
      // a model request never gets baggage; the context already read answers whether it is one
      boolean mayGetBaggage = !HttpExchanges.isModelRequest(exchange, context, scheme, host, port, path)
          && settings.mayReceiveBaggage(host);
      return OutgoingHeaders.compute(context, mayGetBaggage, existingTraceparent, existingBaggage);
    } catch (Throwable t) {
      AgentLog.failure("propagation inject", t);
      return NONE;
    }
  }
}
