package io.flowcost.agent.context;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Call span names are {@code <operation> <model>}, built once per pair while the cache has room. */
class SpanNamesTest {

  @Test
  void theNameIsTheOperationAndModelBuiltOncePerPair() {
    String first = SpanNames.of("chat", "gpt-4o-mini");
    assertThat(first).isEqualTo("chat gpt-4o-mini");
    assertThat(SpanNames.of("chat", new String("gpt-4o-mini"))).isSameAs(first);
    assertThat(SpanNames.of("embeddings", "gpt-4o-mini")).isEqualTo("embeddings gpt-4o-mini");
    assertThat(SpanNames.of("chat", null)).isEqualTo("chat");
  }

  @Test
  void pastTheBoundNamesAreStillRightJustNotKept() {
    for (int i = 0; i < SpanNames.MAX_MODELS + 10; i++) {
      assertThat(SpanNames.of("bound-test", "m-" + i)).isEqualTo("bound-test m-" + i);
    }
    String late = SpanNames.of("bound-test", "m-late");
    assertThat(late).isEqualTo("bound-test m-late");
    assertThat(SpanNames.of("bound-test", "m-late")).isNotSameAs(late);
    assertThat(SpanNames.of("bound-test", "m-0")).isSameAs(SpanNames.of("bound-test", "m-0"));
  }
}
