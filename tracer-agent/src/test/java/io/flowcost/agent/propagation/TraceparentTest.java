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
  void formatsAsTheBuilderDidWhateverTheIds() {
    java.util.Random random = new java.util.Random(13);
    for (int i = 0; i < 200; i++) {
      String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
      String spanId = String.format("%016x", random.nextLong());
      String flags = i % 2 == 0 ? "01" : "00";
      assertThat(Traceparent.header(traceId, spanId, flags))
          .isEqualTo("00-" + traceId + "-" + spanId + "-" + flags);
    }
    // not the usual 55 characters, or a character beyond Latin-1: written as given, as before
    assertThat(Traceparent.header("abc", "def", "1")).isEqualTo("00-abc-def-1");
    String wide = "4bf92f3577b34da6a3ce929d0e0e473\u0100";
    assertThat(Traceparent.header(wide, "00f067aa0ba902b7", "01"))
        .isEqualTo("00-" + wide + "-00f067aa0ba902b7-01");
    assertThat(Traceparent.header("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b\u00e9", "01"))
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b\u00e9-01");
    // a later header of this thread does not change an earlier one (the scratch array is reused)
    String first = Traceparent.header("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01");
    Traceparent.header("ffffffffffffffffffffffffffffffff", "ffffffffffffffff", "00");
    assertThat(first).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
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
