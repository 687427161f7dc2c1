package io.flowcost.agent.calls;

import io.flowcost.agent.usage.Usage;

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

  private TokenEstimate() {}

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
