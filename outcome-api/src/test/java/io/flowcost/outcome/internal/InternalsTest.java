package io.flowcost.outcome.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InternalsTest {

  @Test
  void jsonWriterProducesWhatAParserReadsBack() throws Exception {
    String json =
        new Json()
            .beginObject()
            .name("a").beginArray().value(1).value(true).value((String) null).endArray()
            .name("b").beginObject().name("c").value(new BigDecimal("1E+3")).endObject()
            .name("lone").value("x\uD800y")
            .endObject()
            .toString();
    var node = new ObjectMapper().readTree(json);
    assertThat(node.get("a")).hasSize(3);
    assertThat(node.get("a").get(2).isNull()).isTrue();
    assertThat(node.get("b").get("c").asText()).isEqualTo("1000"); // plain notation
    assertThat(node.get("lone").asText()).isEqualTo("x\uFFFDy");
  }

  @Test
  void parsesRetryAfterSecondsAndDates() {
    assertThat(Delivery.parseRetryAfter("3")).contains(Duration.ofSeconds(3));
    assertThat(Delivery.parseRetryAfter("100000")).contains(Duration.ofMinutes(2));
    assertThat(Delivery.parseRetryAfter("soon")).isEmpty();
    String inFive = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(5));
    assertThat(Delivery.parseRetryAfter(inFive).orElseThrow()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
    assertThat(Delivery.retryable(503)).isTrue();
    assertThat(Delivery.retryable(408)).isTrue();
    assertThat(Delivery.retryable(400)).isFalse();
    assertThat(Delivery.retryable(413)).isFalse();
  }

  @Test
  void readsSettingsLikeTheAgent() {
    Map<String, String> props = Map.of("flowcost.tags", "team=claims, env = prod,bogus,=x");
    Map<String, String> env =
        Map.of("FLOWCOST_ENDPOINT", "https://collector:4318/", "OTEL_SERVICE_NAME", "svc", "FLOWCOST_API_KEY", "k");
    Settings settings = Settings.from(props::get, env::get);
    assertThat(settings.endpoint()).hasToString("https://collector:4318");
    assertThat(settings.resolve("/v1/outcomes")).hasToString("https://collector:4318/v1/outcomes");
    assertThat(settings.serviceName()).isEqualTo("svc");
    assertThat(settings.apiKey()).isEqualTo("k");
    assertThat(settings.tags()).containsExactly(Map.entry("team", "claims"), Map.entry("env", "prod"));

    Settings defaults = Settings.from(k -> null, k -> null);
    assertThat(defaults.endpoint()).hasToString(Settings.DEFAULT_ENDPOINT);
    assertThat(defaults.serviceName()).isEqualTo("unknown_service:java");
    assertThat(defaults.apiKey()).isNull();
    assertThatThrownBy(() -> new Settings("ftp://x", "s", null, Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void idsAreHexAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String trace = Ids.newTraceId();
      assertThat(trace).matches("[0-9a-f]{32}");
      assertThat(Ids.newSpanId()).matches("[0-9a-f]{16}");
      assertThat(seen.add(trace)).isTrue();
    }
    assertThat(Ids.requireTraceId("ABCDEF0123456789ABCDEF0123456789")).isEqualTo("abcdef0123456789abcdef0123456789");
  }
}
