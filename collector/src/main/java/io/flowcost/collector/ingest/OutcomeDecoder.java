package io.flowcost.collector.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.collector.otlp.BadInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Decodes and validates {@code POST /v1/outcomes} bodies: one outcome object, or an array of
 * them. Any invalid field rejects the request with a message naming the field.
 */
public final class OutcomeDecoder {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Set<String> FIELDS = Set.of("workflow_id", "external_key", "status",
      "reason", "value", "unit", "outcome_id", "reported_at");
  /** Reports further in the future than this are clock errors, not outcomes. */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);
  static final int MAX_BATCH = 1000;

  private final Clock clock;

  public OutcomeDecoder(Clock clock) {
    this.clock = clock;
  }

  /** Decodes a body holding one outcome object or an array of them. */
  public List<OutcomeRecord> decode(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new BadInputException("malformed JSON" + where);
    } catch (IOException e) {
      throw new BadInputException("unreadable body");
    } catch (NumberFormatException e) {
      // Jackson refuses numbers it cannot represent (found by fuzzing: "1e2188888…")
      throw new BadInputException("malformed JSON: a number out of range");
    }
    if (root == null) {
      throw new BadInputException("empty body: send an outcome object");
    }
    Instant now = clock.instant();
    List<OutcomeRecord> out = new ArrayList<>();
    if (root.isArray()) {
      if (root.size() > MAX_BATCH) {
        throw new BadInputException("too many outcomes in one request: at most " + MAX_BATCH);
      }
      int i = 0;
      for (JsonNode n : root) {
        out.add(decodeOne(n, now, "[" + i++ + "]."));
      }
    } else {
      out.add(decodeOne(root, now, ""));
    }
    return out;
  }

  private OutcomeRecord decodeOne(JsonNode n, Instant now, String path) {
    if (!n.isObject()) {
      throw new BadInputException(path + "outcome must be a JSON object");
    }
    int position = 0;
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      position++;
      if (!FIELDS.contains(it.next())) {
        // named by position, not by name: a request's field names are not echoed
        throw new BadInputException(path + "field #" + position + " of the outcome is unknown"
            + " (expected only " + FIELDS.stream().sorted().toList() + ")");
      }
    }
    String workflowId = text(n, "workflow_id", path, 32);
    String externalKey = text(n, "external_key", path, 256);
    if ((workflowId == null) == (externalKey == null)) {
      throw new BadInputException(path + "exactly one of workflow_id and external_key is required");
    }
    if (workflowId != null) {
      workflowId = workflowId.toLowerCase(Locale.ROOT);
      if (workflowId.length() != 32 || !workflowId.chars().allMatch(c -> Character.digit(c, 16) >= 0)
          || workflowId.chars().allMatch(c -> c == '0')) {
        throw new BadInputException(path + "workflow_id: must be the 32-hex trace id of the workflow");
      }
    }
    String status = text(n, "status", path, 16);
    if (status == null) {
      throw new BadInputException(path + "status: required, 'success' or 'failure'");
    }
    status = status.toLowerCase(Locale.ROOT);
    if (!status.equals("success") && !status.equals("failure")) {
      throw new BadInputException(path + "status: must be 'success' or 'failure'");
    }
    BigDecimal value = null;
    JsonNode v = n.get("value");
    if (v != null && !v.isNull()) {
      if (!v.isNumber()) {
        throw new BadInputException(path + "value: must be a number");
      }
      value = v.decimalValue();
      if (value.abs().compareTo(new BigDecimal("999999999")) > 0 || value.scale() > 9) {
        throw new BadInputException(path + "value: out of range (|value| < 1e9, at most 9 decimals)");
      }
    }
    String outcomeId = text(n, "outcome_id", path, 128);
    if (outcomeId == null) {
      outcomeId = UUID.randomUUID().toString();
    }
    Instant reportedAt = now;
    String at = text(n, "reported_at", path, 64);
    if (at != null) {
      try {
        reportedAt = OffsetDateTime.parse(at).toInstant();
      } catch (DateTimeParseException e) {
        throw new BadInputException(path + "reported_at: must be an RFC 3339 timestamp, e.g. 2026-11-24T10:15:30Z");
      }
      if (!TimeBounds.contains(reportedAt)) {
        // checked first: far-off values also overflow the lake's microsecond timestamps
        throw new BadInputException(path + "reported_at: must be " + TimeBounds.describe());
      }
      if (reportedAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
        throw new BadInputException(path + "reported_at: more than " + MAX_CLOCK_SKEW.toMinutes()
            + " minutes in the future; check the reporter's clock");
      }
    }
    return new OutcomeRecord(outcomeId, workflowId, externalKey, status,
        text(n, "reason", path, 256), value, text(n, "unit", path, 64), reportedAt, at != null,
        now);
  }

  private static String text(JsonNode n, String field, String path, int max) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadInputException(path + field + ": must be a string");
    }
    String s = v.asText().trim();
    if (s.isEmpty()) {
      return null;
    }
    if (s.length() > max) {
      throw new BadInputException(path + field + ": longer than " + max + " characters");
    }
    return s;
  }
}
