package io.flowcost.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {

  @Test
  void controlCharactersBecomeVisibleEscapes() {
    String hostile = "gpt\n2026-12-06T00:00:00.000Z SEVERE  Pipeline: forged\r\t\u001b[2J\u0000"
        + "\u009b31m\u007f\u202eevil\u2066\u2028";
    String safe = SafeText.escape(hostile);
    assertThat(safe).isEqualTo("gpt\\n2026-12-06T00:00:00.000Z SEVERE  Pipeline: forged\\r\\t"
        + "\\u001b[2J\\u0000\\u009b31m\\u007f\\u202eevil\\u2066\\u2028");
    assertThat(safe.chars().noneMatch(c -> SafeText.unsafe((char) c))).isTrue();
  }

  @Test
  void escapingIsIdempotentSoTheLogFormatterCanEscapeAgain() {
    String once = SafeText.escape("a\u001bb\nc\\d");
    assertThat(SafeText.escape(once)).isEqualTo(once);
  }

  @Test
  void plainTextAndNonLatinScriptsAreKept() {
    assertThat(SafeText.of("summarize-claim ü 日本 🙂")).isEqualTo("summarize-claim ü 日本 🙂");
    assertThat(SafeText.of(null)).isEqualTo("null");
  }

  @Test
  void longTextIsCappedAndTheCutIsMarked() {
    assertThat(SafeText.of("x".repeat(500), 10)).isEqualTo("xxxxxxxxxx…(+490 chars)");
    assertThat(SafeText.of("x".repeat(200))).isEqualTo("x".repeat(200));
    assertThat(SafeText.of("x".repeat(201))).isEqualTo("x".repeat(200) + "…(+1 chars)");
    // the cap never splits a surrogate pair
    assertThat(SafeText.of("ab🙂cd", 3)).isEqualTo("ab…(+4 chars)");
  }
}
