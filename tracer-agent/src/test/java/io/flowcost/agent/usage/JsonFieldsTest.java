package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The path tree of {@link JsonFields}: what is read, what is skipped, lists and exact decimals. */
class JsonFieldsTest {

  private static final JsonFields FIELDS = new JsonFields(
      Set.of("model", "usage.prompt_tokens", "usage.cost", "choices[].finish_reason",
          "choices[].message.tool_calls[].function.name", "flag", "message.usage.x"),
      Set.of("usage.cost"));

  @Test
  void readsTheWantedScalarsAndCollectsArrayValuesInDocumentOrder() {
    String json = """
        {"id":"x","model":"gpt-4o-mini","usage":{"prompt_tokens":12,"cost":0.000123456789012,
         "other":{"prompt_tokens":99}},
         "choices":[{"finish_reason":"tool_calls","message":{"content":"text",
           "tool_calls":[{"function":{"name":"lookup","arguments":"{}"}},
                         {"function":{"name":"estimate"}}]}},
                    {"finish_reason":"stop"}],
         "grid":[[1,2],[3]],"flag":true,"message":{"usage":{"x":5.9}},
         "prompt_tokens":7,"model.usage":"no"}
        """;
    Map<String, Object> f = FIELDS.extract(json);
    assertThat(f).containsOnlyKeys("model", "usage.prompt_tokens", "usage.cost",
        "choices[].finish_reason", "choices[].message.tool_calls[].function.name", "flag",
        "message.usage.x");
    assertThat(f.get("model")).isEqualTo("gpt-4o-mini");
    assertThat(f.get("usage.prompt_tokens")).isEqualTo(12L);
    assertThat(f.get("usage.cost")).isEqualTo("0.000123456789012"); // exact text, no double
    assertThat(f.get("choices[].finish_reason")).isEqualTo(List.of("tool_calls", "stop"));
    assertThat(f.get("choices[].message.tool_calls[].function.name"))
        .isEqualTo(List.of("lookup", "estimate"));
    assertThat(f.get("flag")).isEqualTo(true);
    assertThat(f.get("message.usage.x")).isEqualTo(5L); // a float truncated, as before
    assertThat(FIELDS.extract(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(f);
  }

  @Test
  void aWantedNameOfTheWrongShapeIsSkippedAndLaterArrayElementsOverwrite() {
    // "usage" as a scalar, "choices" as an object, "model" as an object: nothing read from them
    assertThat(FIELDS.extract("{\"usage\":3,\"choices\":{\"finish_reason\":\"stop\"},"
        + "\"model\":{\"model\":\"m\"}}")).isEmpty();
    // a root array: read element by element, the later one wins
    assertThat(FIELDS.extract("[{\"model\":\"a\"},7,{\"model\":\"b\"}]"))
        .isEqualTo(Map.of("model", "b"));
    assertThat(FIELDS.extract("not json")).isEmpty();
    assertThat(FIELDS.extract("")).isEmpty();
    assertThat(FIELDS.extract((String) null)).isEmpty();
  }
}
