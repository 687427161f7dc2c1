package io.flowcost.agent.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentTest {

  @Test
  void parsesAndFormatsVersion00() {
    Traceparent tp = Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(tp.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(tp.parentId()).isEqualTo("00f067aa0ba902b7");
    assertThat(tp.sampled()).isTrue();
    assertThat(tp.header()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").sampled())
        .isFalse();
  }

  @Test
  void rejectsMalformedAndAllZeroIds() {
    assertThat(Traceparent.parse(null)).isNull();
    assertThat(Traceparent.parse("garbage")).isNull();
    assertThat(Traceparent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
    assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isNull();
    assertThat(Traceparent.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isNull();
    assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01")).isNull();
    // a future version may append fields
    assertThat(Traceparent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"))
        .isNotNull();
  }
}
