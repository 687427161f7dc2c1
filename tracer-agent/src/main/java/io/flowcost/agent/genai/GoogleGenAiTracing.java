package io.flowcost.agent.genai;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.RetryGroup;

/**
 * What the Google Gen AI SDK hook does: its retry loop ({@code RetryInterceptor.intercept}) is a
 * {@link RetryGroup}, so the Gemini exchanges the {@code okhttp} unit sees inside it — a 503, then
 * the 200 of the same request — are the attempts of one logical call, which the first attempt
 * starts and the loop's return (or, for a stream, the end of the body) ends. A request that is no
 * model call (files, caches, …) opens no call: a group that sends no model request records
 * nothing. Inside a loop of a layer above (Spring AI's retry, an SDK or framework call that
 * records its own attempts) the outer layer keeps the attempts.
 */
public final class GoogleGenAiTracing {

  private GoogleGenAiTracing() {}

  /** Entry of the retry loop: a token for {@link #retryExit}, or {@code null}. Never throws. */
  public static Object retryEnter() {
    try {
      return RetryGroup.openIfNone();
    } catch (Throwable t) {
      AgentLog.failure("google genai retry enter", t);
      return null;
    }
  }

  /** Exit of the retry loop (it returned a response, or threw {@code thrown}). Never throws. */
  public static void retryExit(Object token, Throwable thrown) {
    if (token instanceof RetryGroup.Token) {
      try {
        ((RetryGroup.Token) token).close(thrown);
      } catch (Throwable t) {
        AgentLog.failure("google genai retry exit", t);
      }
    }
  }
}
