package io.flowcost.agent.genai;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.http.RetryGroup;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the Google Gen AI SDK hook does: its retry loop ({@code RetryInterceptor.intercept}) is a
 * {@link RetryGroup}, so the Gemini exchanges the {@code okhttp} unit sees inside it — a 503, then
 * the 200 of the same request — are the attempts of one logical call, which the first attempt
 * starts and the loop's return (or, for a stream, the end of the body) ends. A request that is no
 * model call (files, caches, …) opens no call: a group that sends no model request records
 * nothing. Inside a loop of a layer above (Spring AI's retry, an SDK or framework call that
 * records its own attempts) the outer layer keeps the attempts.
 *
 * <p>The SDK's {@code generateContent} also shows a function-calling loop the application (or the
 * SDK's automatic function calling) runs: a response's {@code functionCall} parts are the calls
 * asked, the {@code functionResponse} parts of a later request's last turn the calls answered —
 * one tool row each ({@link ToolLoop}, {@link ToolWire#GEMINI}), inside the open workflow. A
 * {@code generateContentStream} answers the same way and asks chunk by chunk, as the application
 * reads the stream ({@link #streamChunk}). Without an open workflow no tool row is recorded: the
 * model call's own implicit workflow opens only at the HTTP layer, below this hook, and Gemini's
 * function calls usually carry no id, so nothing on the wire tells which implicit workflow a
 * later request's function response continues.
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

  /**
   * A {@code generateContent} is about to send {@code contents} (a {@code List<Content>}): records
   * the tool rows its last turn's function responses answer. Never throws.
   */
  public static void toolLoopEnter(Object contents) {
    try {
      if (!(contents instanceof List) || ((List<?>) contents).isEmpty()
          || !ToolLoop.anyPending() || !inferring()) {
        return;
      }
      List<?> turns = (List<?>) contents;
      // only the last turn can answer (ToolWire.GEMINI): serialise just that one
      String last = Reflect.callString(turns.get(turns.size() - 1), "toJson");
      if (last == null) {
        return;
      }
      byte[] request = ("{\"contents\":[" + last + "]}").getBytes(StandardCharsets.UTF_8);
      ToolLoop.answering(ToolWire.GEMINI, request, Context.current(), ToolLoop.workflowKey());
    } catch (Throwable t) {
      AgentLog.failure("google genai tool loop", t);
    }
  }

  /**
   * A {@code generateContent} returned {@code response} (a {@code GenerateContentResponse}, or a
   * future of one from the async client): remembers the function calls it asks for. Never throws.
   */
  public static void toolLoopExit(Object response) {
    try {
      if (response == null || !inferring()) {
        return;
      }
      String workflowKey = ToolLoop.workflowKey();
      if (response instanceof CompletableFuture) {
        ((CompletableFuture<?>) response).thenAccept(r -> asked(r, workflowKey));
      } else {
        asked(response, workflowKey);
      }
    } catch (Throwable t) {
      AgentLog.failure("google genai tool loop", t);
    }
  }

  /**
   * A stream chunk was read ({@code ResponseStreamIterator.readCurrent} returned it): remembers the
   * function calls it asks for — Gemini sends each call whole in one chunk. Never throws.
   */
  public static void streamChunk(Object chunk) {
    try {
      if (chunk != null && inferring()) {
        asked(chunk, ToolLoop.workflowKey());
      }
    } catch (Throwable t) {
      AgentLog.failure("google genai stream tool loop", t);
    }
  }

  private static boolean inferring() {
    return ToolLoop.infersHere() && AgentContext.startedWorkflow() != null;
  }

  private static void asked(Object response, String workflowKey) {
    try {
      // cheap check first: serialise only an answer that asks for a function
      Object calls = Reflect.call(response, "functionCalls");
      if (!(calls instanceof List) || ((List<?>) calls).isEmpty()) {
        return;
      }
      String json = Reflect.callString(response, "toJson");
      if (json != null) {
        ToolLoop.asked(ToolWire.GEMINI,
            ToolWire.GEMINI.asked(json.getBytes(StandardCharsets.UTF_8)), workflowKey);
      }
    } catch (Throwable t) {
      AgentLog.failure("google genai tool loop", t);
    }
  }
}
