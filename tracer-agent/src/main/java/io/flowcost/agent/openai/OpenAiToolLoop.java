package io.flowcost.agent.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.context.ToolSpans;
import io.flowcost.agent.http.RequestHints;
import io.flowcost.agent.usage.ToolCallRef;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tool executions of an OpenAI SDK function-calling loop, seen on the wire. The SDK runs no tool
 * itself: the application reads {@code tool_calls} from a chat completion, runs the functions and
 * sends their results back as {@code role: "tool"} messages in its next request. So each tool call
 * id an answer asks for is remembered (with its function name and the time the answer was read),
 * and a later SDK request whose messages answer that id records one {@code tool} span: named by
 * the function, from the response that asked to the request that answered. That duration is an
 * approximation of the tool's own run time: it includes whatever the application did in between
 * (parsing the arguments, building the next request). Its status is always OK: the tool's result
 * is message text, which the agent does not read.
 *
 * <p>An id is answered once: the conversation history resent with every later request finds it
 * no longer pending. The span goes to the workflow of the answering request — the open one when
 * the application opened one around its loop; without a boundary each model call is its own
 * implicit workflow and the tool row lands in the answering call's. Pending ids are kept in memory
 * only (ids and function names, never arguments), at most {@value #MAX_PENDING}, and forgotten
 * after {@value #MAX_PENDING_MINUTES} minutes: a loop abandoned half-way records nothing.
 */
public final class OpenAiToolLoop {

  /** Most tool calls waiting for an answer; the oldest is forgotten first. */
  static final int MAX_PENDING = 4096;

  /** How long a tool call waits for its answer. */
  static final long MAX_PENDING_MINUTES = 60;

  private static final JsonFactory JSON = new JsonFactory();

  private static final Map<String, Pending> PENDING =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
          return size() > MAX_PENDING;
        }
      };

  private OpenAiToolLoop() {}

  /**
   * Whether tool calls seen in the current context are inferred here: not when a framework above
   * the SDK (Spring AI's {@code ChatModel}, which leaves {@link RequestHints}) sends the request —
   * it records its own tool executions. (LangChain4j's model over the SDK opens its logical call
   * first, so the SDK hook opens none and never gets here.)
   */
  static boolean infersHere() {
    return !RequestHints.present();
  }

  /** An answer asked for these tool calls, read completely now. */
  static void asked(List<ToolCallRef> calls) {
    if (calls.isEmpty()) {
      return;
    }
    long now = nowEpochNanos();
    synchronized (PENDING) {
      for (ToolCallRef call : calls) {
        PENDING.put(call.id(), new Pending(call.name(), now));
      }
    }
  }

  /** Whether any tool call waits for its answer (a cheap check before parsing a request). */
  static boolean anyPending() {
    synchronized (PENDING) {
      return !PENDING.isEmpty();
    }
  }

  /**
   * A request is about to be sent with this JSON body: records one tool span under {@code parent}
   * for each pending tool call it answers. Never throws.
   */
  static void answering(byte[] requestJson, Context parent) {
    try {
      if (requestJson == null || !anyPending()) {
        return;
      }
      List<String> answered = answeredIds(requestJson);
      if (answered.isEmpty()) {
        return;
      }
      long now = nowEpochNanos();
      long forgetBefore = now - TimeUnit.MINUTES.toNanos(MAX_PENDING_MINUTES);
      for (String id : answered) {
        Pending pending;
        synchronized (PENDING) {
          pending = PENDING.remove(id);
        }
        if (pending == null || pending.askedEpochNanos < forgetBefore) {
          continue;
        }
        Span span = ToolSpans.builder(pending.name)
            .setParent(parent)
            .setStartTimestamp(pending.askedEpochNanos, TimeUnit.NANOSECONDS)
            .startSpan();
        span.end(Math.max(now, pending.askedEpochNanos), TimeUnit.NANOSECONDS);
      }
    } catch (Throwable t) {
      AgentLog.failure("openai tool loop", t);
    }
  }

  /**
   * The {@code tool_call_id} of every {@code role: "tool"} message of a Chat Completions request,
   * in order; everything else (the message text) is skipped unread.
   */
  static List<String> answeredIds(byte[] json) {
    List<String> ids = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return ids;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!"messages".equals(field) || value != JsonToken.START_ARRAY) {
          parser.skipChildren();
          continue;
        }
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          String role = null;
          String id = null;
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken v = parser.nextToken();
            if ("role".equals(name) && v == JsonToken.VALUE_STRING) {
              role = parser.getText();
            } else if ("tool_call_id".equals(name) && v == JsonToken.VALUE_STRING) {
              id = parser.getText();
            } else {
              parser.skipChildren();
            }
          }
          if ("tool".equals(role) && id != null) {
            ids.add(id);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // a truncated or odd body: keep what was read
    }
    return ids;
  }

  /** Forgets every pending tool call (tests). */
  static void clear() {
    synchronized (PENDING) {
      PENDING.clear();
    }
  }

  private static long nowEpochNanos() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  private static final class Pending {
    final String name;
    final long askedEpochNanos;

    Pending(String name, long askedEpochNanos) {
      this.name = name;
      this.askedEpochNanos = askedEpochNanos;
    }
  }
}
