package io.flowcost.agent.http;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * What a framework above the HTTP client knows of the model request it is about to send — the
 * model and whether it streams — for clients whose request body the agent cannot read up front
 * (Spring's {@code RestClient} and {@code WebClient} stream theirs through a publisher). The
 * request's own fields win when they could be read.
 *
 * @param model the model the framework asks for, or {@code null}
 * @param stream whether the framework asks for a stream
 */
public record RequestHints(String model, boolean stream) {

  private static final ContextKey<RequestHints> KEY = ContextKey.named("flowcost-request-hints");

  /** {@code context} with these hints. */
  public Context storeIn(Context context) {
    return context.with(KEY, this);
  }

  /** Whether a framework above the client left hints in the current context. */
  public static boolean present() {
    return Context.current().get(KEY) != null;
  }

  /** The request's fields, completed with the hints current in this context. */
  static RequestFields fill(RequestFields fields) {
    RequestHints hints = Context.current().get(KEY);
    if (hints == null || fields.model() != null) {
      return fields;
    }
    return new RequestFields(hints.model, fields.stream() || hints.stream, fields.body());
  }
}
