package io.flowcost.agent.calls;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowcost.agent.usage.Usage;
import java.io.IOException;

/**
 * Tokens of an exchange the provider billed but whose usage never reached the client.
 *
 * <p><b>Answered, usage never came</b> (an OpenAI stream without {@code
 * stream_options.include_usage}, a stream cut off before its usage, a provider that reports none):
 *
 * <ul>
 *   <li>input = the request counted with OpenAI's own encoding for an OpenAI model ({@link
 *       OpenAiTokens}: messages with their framing, tool definitions), else ⌈request body bytes ÷
 *       4⌉ — the providers' rule of thumb of about four characters per token, applied to the
 *       whole JSON body (its field names make it an over-estimate of the prompt);
 *   <li>output = the output tokens a stream had already reported, else the answer text and tool
 *       calls received, counted the same way (OpenAI's encoding, else ⌈characters ÷ 4⌉).
 * </ul>
 *
 * <p><b>Client time-out</b> (the request went out, nothing usable came back):
 *
 * <ul>
 *   <li>input = ⌈request body bytes ÷ 4⌉;
 *   <li>output = the output tokens a stream had already reported, else the request's maximum
 *       output tokens ({@code max_completion_tokens}, {@code max_tokens} or {@code
 *       max_output_tokens}), else 0 — a provider that kept generating bills at most that many.
 * </ul>
 *
 * The row is marked {@code flowcost.usage.estimated = true}; see {@code docs/spans.md}. The
 * request is read only here, when an estimate is needed, never up front.
 */
public final class TokenEstimate {

  private static final JsonFactory JSON = new JsonFactory();

  private TokenEstimate() {}

  /**
   * Keeps on {@code attempt} a reference to the request body the client sent (no copy, no
   * parse), for an estimate should its usage never come.
   */
  public static void recordRequest(Attempt attempt, String body) {
    attempt.requestBody(RequestBody.ofText(body));
  }

  /** The top-level {@code max_completion_tokens}, {@code max_tokens} or {@code max_output_tokens}. */
  static Long maxOutputTokens(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Long found = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_NUMBER_INT
            && (name.equals("max_completion_tokens") || name.equals("max_tokens")
                || name.equals("max_output_tokens"))) {
          found = found == null ? p.getLongValue() : Math.min(found, p.getLongValue());
        } else {
          p.skipChildren();
        }
      }
      return found;
    } catch (IOException | RuntimeException e) {
      return null; // not JSON: the input estimate still stands
    }
  }

  /**
   * Estimates the usage of an exchange that was answered but whose usage never came.
   *
   * @param provider {@code gen_ai.provider.name} of the call, or {@code null}
   * @param model the requested model, or {@code null}
   * @param body the request body
   * @param partial what a stream reported before it ended, or {@code null}
   * @param outputText the answer text and tool-call arguments received, or {@code null}
   */
  public static Usage answered(
      String provider, String model, RequestBody body, Usage partial, String outputText) {
    Long input = null;
    com.knuddels.jtokkit.api.Encoding encoding = null;
    if (isOpenAi(provider)) {
      encoding = OpenAiTokens.encodingFor(model);
      input = OpenAiTokens.countChatRequest(body.text(), model, encoding);
    }
    if (input == null) {
      input = (body.utf8Length() + 3) / 4;
    }
    Long output = partial != null ? partial.outputTokens() : null;
    if (output == null) {
      if (outputText == null || outputText.isEmpty()) {
        output = 0L;
      } else if (encoding != null) {
        output = OpenAiTokens.count(encoding, outputText);
      } else {
        output = (outputText.length() + 3L) / 4;
      }
    }
    return Usage.builder().inputTokens(input).outputTokens(output).build();
  }

  /** OpenAI's API and the services that serve its models with its encodings (Azure OpenAI). */
  static boolean isOpenAi(String provider) {
    return "openai".equals(provider) || "azure.ai.openai".equals(provider);
  }

  /** Estimates the usage of a timed-out exchange from its request body (see the class doc). */
  public static Usage timedOut(RequestBody body, Usage partial) {
    String text = body.text();
    return of(body.utf8Length(), maxOutputTokens(text), partial);
  }

  /**
   * Estimates the usage of a timed-out exchange.
   *
   * @param requestBytes UTF-8 size of the request body, &gt; 0
   * @param maxOutputTokens the request's output limit, or {@code null}
   * @param partial what a stream reported before the time-out, or {@code null}
   */
  public static Usage of(long requestBytes, Long maxOutputTokens, Usage partial) {
    long input = (requestBytes + 3) / 4;
    Long output = partial != null && partial.outputTokens() != null ? partial.outputTokens() : null;
    if (output == null) {
      output = maxOutputTokens != null && maxOutputTokens > 0 ? maxOutputTokens : 0L;
    }
    return Usage.builder().inputTokens(input).outputTokens(output).build();
  }

  /**
   * Whether {@code error} (or a cause) is a read time-out: the request went out and the client
   * stopped waiting for the answer. A connect time-out is not one — nothing reached the provider.
   */
  public static boolean isReadTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getName();
      if (name.equals("java.net.http.HttpConnectTimeoutException")
          || name.equals("java.net.ConnectException")) {
        return false;
      }
      if (name.equals("java.net.http.HttpTimeoutException")
          || name.equals("java.net.SocketTimeoutException")) {
        return true;
      }
    }
    return false;
  }
}
