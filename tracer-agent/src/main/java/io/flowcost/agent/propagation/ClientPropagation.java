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
    try {
      if (HttpSettings.current().isCollector(scheme, host, port)) {
        return NONE; // Flowcost's own traffic (outcome-api) carries nothing of ours
      }
      Context context = exchange != null ? exchange.context() : Context.current();
      boolean model = HttpExchanges.isModelRequest(exchange, scheme, host, port, path);
      return OutgoingHeaders.compute(context, host, model, existingTraceparent, existingBaggage);
    } catch (Throwable t) {
      AgentLog.failure("propagation inject", t);
      return NONE;
    }
  }
}
