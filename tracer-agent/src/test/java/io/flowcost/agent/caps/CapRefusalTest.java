package io.flowcost.agent.caps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one refusal API every hook uses: a refusal token throws its exception, any other token what was thrown. */
class CapRefusalTest {

  @Test
  void aRefusalTokenThrowsItsExceptionWhateverTheMethodThrew() {
    RuntimeException refusal = new IllegalStateException("capped");
    CapRefusal token = CapRefusal.of(refusal);
    assertThat(CapRefusal.isRefusal(token)).isTrue();
    assertThat(CapRefusal.thrown(token, null)).isSameAs(refusal);
    assertThat(CapRefusal.thrown(token, new java.io.IOException("x"))).isSameAs(refusal);
    assertThat(CapRefusal.exceptionOf(token)).isSameAs(refusal);
  }

  @Test
  void anyOtherTokenLeavesWhatTheMethodThrew() {
    java.io.IOException thrown = new java.io.IOException("x");
    for (Object token : new Object[] {null, new Object(), "token"}) {
      assertThat(CapRefusal.isRefusal(token)).isFalse();
      assertThat(CapRefusal.thrown(token, thrown)).isSameAs(thrown);
      assertThat(CapRefusal.thrown(token, null)).isNull();
      assertThat(CapRefusal.exceptionOf(token)).isNull();
    }
  }
}
