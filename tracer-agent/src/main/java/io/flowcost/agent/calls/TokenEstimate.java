package io.flowcost.agent.calls;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowcost.agent.usage.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Tokens of an exchange the provider billed but never reported: the client timed out reading a
 * response to a request it had sent in full.
 *
 * <ul>
 *   <li>input = ⌈request body bytes ÷ 4⌉ — OpenAI's and Anthropic's rule of thumb of about four
 *       characters of English per token, applied to the whole JSON body (its field names make it
 *       a slight over-estimate of the prompt);
 *   <li>output = the output tokens a stream had already reported, else the request's maximum
 *       output tokens ({@code max_completion_tokens}, {@code max_tokens} or {@code
 *       max_output_tokens}), else 0 — a provider that kept generating bills at most that many.
 * </ul>
 *
 * The row is marked {@code flowcost.usage.estimated = true}; see {@code docs/spans.md}.
 */
public final class TokenEstimate {

  private static final JsonFactory JSON = new JsonFactory();

  private TokenEstimate() {}

  /**
   * Records on {@code attempt} the size of a request body and its output limit (read with the
   * streaming parser, every other value skipped; nothing of the body is kept).
   */
  public static void recordRequest(Attempt attempt, String body) {
    if (body == null || body.isEmpty()) {
      return;
    }
    attempt.request(body.getBytes(StandardCharsets.UTF_8).length, maxOutputTokens(body));
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
