package io.flowcost.agent.http.apache4;

import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.http.apache5.ApacheClassic;
import io.flowcost.agent.http.apache5.ApacheTracing;

/**
 * Helpers of {@link DoExecuteAdvice}: HttpClient 4's exchanges go through the classic clients' one
 * skeleton ({@link ApacheTracing}), with HttpClient 4's accessors ({@link
 * ApacheClassic#HTTP_CLIENT_4}).
 */
public final class Apache4Tracing {

  private Apache4Tracing() {}

  /**
   * Entry: records the request and sets propagation headers on it; a {@link CapRefusal} when the
   * workflow's caps refuse it (the advice then skips {@code doExecute}). Never throws.
   */
  public static Object enter(Object target, Object request) {
    return ApacheTracing.enter(ApacheClassic.HTTP_CLIENT_4, target, request);
  }

  /**
   * Exit: the response head, and a teed entity when the exchange wants the body.
   *
   * @return what {@code doExecute} throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Object response, Throwable thrown) {
    return ApacheTracing.exit(ApacheClassic.HTTP_CLIENT_4, token, response, thrown);
  }
}
