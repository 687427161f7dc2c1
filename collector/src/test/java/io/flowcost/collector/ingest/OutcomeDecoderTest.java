package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.otlp.BadInputException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Timestamps of outcome reports are bounded at decode time (no poison row can be accepted). */
class OutcomeDecoderTest {

  private final OutcomeDecoder decoder =
      new OutcomeDecoder(Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC));

  @ParameterizedTest
  @ValueSource(strings = {"-999999999-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
      "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2300-01-01T00:00:00Z"})
  void aReportedAtOutsideTheWindowIs400NamingTheFieldNotTheValue(String at) {
    assertThatThrownBy(() -> decode("{\"external_key\":\"k\",\"status\":\"success\","
        + "\"reported_at\":\"" + at + "\"}"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("reported_at: must be")
        .hasMessageNotContaining(at)
        .hasMessageNotContaining(at.substring(0, 5));
  }

  @Test
  void theEdgesOfTheWindowAndAbsentTimesAreAccepted() {
    OutcomeRecord earliest = decode("{\"external_key\":\"k\",\"status\":\"success\","
        + "\"reported_at\":\"2000-01-01T00:00:00Z\"}").get(0);
    assertThat(earliest.reportedAt()).isEqualTo(TimeBounds.EARLIEST);
    assertThat(earliest.reportedAtGiven()).isTrue();
    OutcomeRecord now = decode("{\"external_key\":\"k\",\"status\":\"success\"}").get(0);
    assertThat(now.reportedAt()).isEqualTo(Instant.parse("2026-11-24T12:00:00Z"));
    assertThat(now.reportedAtGiven()).isFalse();
  }

  @Test
  void theFingerprintIgnoresTheReceiptTimeAndSpellingButNotContent() {
    OutcomeRecord a = decode("{\"outcome_id\":\"x\",\"external_key\":\"k\",\"status\":\"success\","
        + "\"value\":1.5}").get(0);
    OutcomeRecord b = new OutcomeDecoder(Clock.fixed(Instant.parse("2026-11-24T12:05:00Z"),
        ZoneOffset.UTC)).decode(("{\"value\":1.50,\"status\":\"SUCCESS\",\"external_key\":\"k\","
            + "\"outcome_id\":\"x\"}").getBytes(StandardCharsets.UTF_8)).get(0);
    OutcomeRecord c = decode("{\"outcome_id\":\"x\",\"external_key\":\"k\",\"status\":\"success\","
        + "\"value\":1.5,\"reported_at\":\"2026-11-24T11:00:00Z\"}").get(0);
    assertThat(a.contentFingerprint()).isEqualTo(b.contentFingerprint()).hasSize(16);
    assertThat(c.contentFingerprint()).isNotEqualTo(a.contentFingerprint());
  }

  private List<OutcomeRecord> decode(String json) {
    return decoder.decode(json.getBytes(StandardCharsets.UTF_8));
  }
}
