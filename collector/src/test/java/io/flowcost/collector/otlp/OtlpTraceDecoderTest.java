package io.flowcost.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OtlpTraceDecoderTest {

  @Test
  void aWrongTypedFieldIsNamedButItsValueIsNeverQuoted() {
    String body = """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",
          "spanId":"1111111111111111","name":"x","startTimeUnixNano":"SECRET prompt text"}]}]}]}
        """;
    assertThatThrownBy(() -> OtlpTraceDecoder.decode(body.getBytes(StandardCharsets.UTF_8),
        "application/json"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("malformed OTLP/JSON")
        .hasMessageNotContaining("SECRET")
        .hasMessageContaining("<value>");
  }

  @Test
  void fieldNamesSurviveAndValuesDoNot() {
    assertThat(OtlpTraceDecoder.withoutValues(
        "Failed to parse \"startTimeUnixNano\": Not an uint64 value: \"my \\\"api\\\" key\""))
        .isEqualTo("Failed to parse \"startTimeUnixNano\": Not an uint64 value: <value>");
  }

  @Test
  void hexIdsAreRewrittenSoTheWorkflowIdIsTheTraceIdAsSent() {
    String body = """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C",
          "spanId":"1111111111111111","name":"x","startTimeUnixNano":"1"}]}]}]}
        """;
    var request = OtlpTraceDecoder.decode(body.getBytes(StandardCharsets.UTF_8), "application/json");
    byte[] id = request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId().toByteArray();
    assertThat(java.util.HexFormat.of().formatHex(id)).isEqualTo("5b8efff798038103d269b633813fc60c");
  }
}
