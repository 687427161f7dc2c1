package io.flowcost.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenUsageTest {

  @Test
  void derivesTheExclusiveParts() {
    TokenUsage u = TokenUsage.builder().input(1000).cacheRead(600).cacheWrite(300)
        .cacheWrite1h(100).output(50).reasoning(20).serviceTier("batch").build();
    assertThat(u.uncachedInput()).isEqualTo(100);
    assertThat(u.cacheWrite5m()).isEqualTo(200);
    assertThat(u.toBuilder().build()).isEqualTo(u).hasSameHashCodeAs(u);
    assertThat(TokenUsage.empty().input()).isZero();
  }

  @Test
  void rejectsNegativeCounts() {
    assertThatThrownBy(() -> TokenUsage.builder().output(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("output must be >= 0 but was -1");
  }

  @Test
  void rejectsPartsLargerThanTheirWhole() {
    assertThatThrownBy(() -> TokenUsage.builder().input(100).cacheRead(80).cacheWrite(30).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheRead (80) + cacheWrite (30) must not exceed input (100)");
    assertThatThrownBy(() -> TokenUsage.builder().input(100).cacheWrite(10).cacheWrite1h(11)
        .build())
        .hasMessageContaining("cacheWrite1h (11) must not exceed cacheWrite (10)");
    assertThatThrownBy(() -> TokenUsage.builder().output(5).reasoning(6).build())
        .hasMessageContaining("reasoning (6) must not exceed output (5)");
  }

  @Test
  void hugeCountsCannotOverflowPastTheCheck() {
    assertThatThrownBy(() -> TokenUsage.builder().input(Long.MAX_VALUE)
        .cacheRead(Long.MAX_VALUE).cacheWrite(Long.MAX_VALUE).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
