package io.flowcost.examples.fakeprovider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request/response exchange as the fake provider answered it: what was sent back, never what
 * was asked (no prompt text is kept).
 *
 * @param sequence 1-based order in which responses were started
 * @param protocol the endpoint's protocol
 * @param model the model named in the request (echoed in the response)
 * @param httpStatus the HTTP status sent
 * @param streaming whether the response was a server-sent-event stream
 * @param truncated whether a stream was ended early on purpose ({@code [stream-cut]})
 * @param attempt 1-based count of identical request bodies seen so far (a client retry sends the
 *     same body, so its second attempt has {@code attempt == 2})
 * @param replyKind what the response carried
 * @param toolName the tool the reply asked to call, or {@code null}
 * @param usageSent whether a usage object was sent at all (an OpenAI stream without {@code
 *     stream_options.include_usage} and error responses send none)
 * @param usage the usage numbers sent, keyed by the provider's own field names, nested fields
 *     dotted (e.g. {@code prompt_tokens_details.cached_tokens}); empty when none was sent
 * @param serviceTier the service tier sent ({@code service_tier} for OpenAI, {@code
 *     usage.service_tier} for Anthropic), or {@code null}
 * @param requestHash hex SHA-256 prefix of the request path and body, the key of {@code attempt}
 * @param requestBytes size of the request body in bytes (what a client-side token estimate of a
 *     timed-out request starts from)
 */
public record Exchange(
    long sequence,
    Protocol protocol,
    String model,
    int httpStatus,
    boolean streaming,
    boolean truncated,
    int attempt,
    ReplyKind replyKind,
    String toolName,
    boolean usageSent,
    Map<String, Long> usage,
    String serviceTier,
    String requestHash,
    long requestBytes) {

  /** Validates and freezes the usage map. */
  public Exchange {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(replyKind, "replyKind");
    usage = Collections.unmodifiableMap(new LinkedHashMap<>(usage));
  }

  /** Returns a usage field as sent, e.g. {@code usage("cache_read_input_tokens")}. */
  public Optional<Long> usage(String field) {
    return Optional.ofNullable(usage.get(field));
  }

  /** Returns a usage field as sent, or 0 when it was not sent. */
  public long usageOrZero(String field) {
    return usage.getOrDefault(field, 0L);
  }
}
