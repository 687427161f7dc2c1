package io.flowcost.collector.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpTraceDecoderTest {

  private static final String GOOD = """
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"1111111111111111","name":"good",
       "startTimeUnixNano":"1"}""";

  private static OtlpTraceDecoder.Decoded json(String... spans) {
    String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + String.join(",", spans)
        + "]}]}]}";
    return OtlpTraceDecoder.decode(body.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static List<String> names(OtlpTraceDecoder.Decoded d) {
    return d.request().getResourceSpans(0).getScopeSpans(0).getSpansList().stream()
        .map(s -> s.getName()).toList();
  }

  @Test
  void aWrongTypedFieldRejectsItsSpanNamingTheFieldButNeverQuotingTheValue() {
    var d = json("""
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"2222222222222222","name":"x",
         "startTimeUnixNano":"SECRET prompt text"}""", GOOD);
    assertThat(names(d)).containsExactly("good");
    assertThat(d.rejected()).singleElement().satisfies(r -> assertThat(r.reason())
        .startsWith("malformed span").doesNotContain("SECRET").contains("<value>"));
    assertThat(d.spans()).isEqualTo(2);
  }

  @Test
  void aLinkThatIsNotAnObjectRejectsOnlyItsSpan() {
    var d = json("""
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"2222222222222222","name":"x",
         "startTimeUnixNano":"1","links":[7]}""", GOOD);
    assertThat(names(d)).containsExactly("good");
    assertThat(d.rejected()).extracting(OtlpTraceDecoder.Rejected::reason)
        .containsExactly("links[0] must be an object");
  }

  @Test
  void anIntValueBeyondInt64RejectsOnlyItsSpanNamingThePath() {
    var d = json("""
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"2222222222222222","name":"x",
         "startTimeUnixNano":"1","attributes":[{"key":"a","value":{"stringValue":"s"}},
         {"key":"gen_ai.usage.input_tokens","value":{"intValue":"99999999999999999999"}}]}""",
        GOOD);
    assertThat(names(d)).containsExactly("good");
    assertThat(d.rejected()).extracting(OtlpTraceDecoder.Rejected::reason)
        .containsExactly("attributes[1].value.intValue must be an integer within int64");
  }

  @Test
  void aMalformedLinkIdBlamesTheLinkNotTheSpansOwnId() {
    var d = json("""
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"2222222222222222","name":"x",
         "startTimeUnixNano":"1","links":[{"traceId":"5b8efff798038103d269b633813fc60c",
         "spanId":"xyz"}]}""", GOOD);
    assertThat(names(d)).containsExactly("good");
    assertThat(d.rejected()).extracting(OtlpTraceDecoder.Rejected::reason)
        .containsExactly("links[0].spanId must be 16 hex characters (OTLP/JSON ids are hex, not"
            + " base64)");
  }

  @Test
  void whenEverySpanHasBadIdsTheWrongEncodingIsRefusedWhole() {
    assertThatThrownBy(() -> json("""
        {"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"AAAAAAAAAAE=","name":"x",
         "startTimeUnixNano":"1"}"""))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("traceId must be 32 hex characters");
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
    var request = OtlpTraceDecoder.decode(body.getBytes(StandardCharsets.UTF_8), "application/json")
        .request();
    byte[] id = request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId().toByteArray();
    assertThat(java.util.HexFormat.of().formatHex(id)).isEqualTo("5b8efff798038103d269b633813fc60c");
  }
}
