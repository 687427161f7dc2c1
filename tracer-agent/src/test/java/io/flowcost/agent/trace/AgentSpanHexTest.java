package io.flowcost.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanId;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A span id's hex as the agent writes it is OpenTelemetry's {@code SpanId.fromLong}. */
class AgentSpanHexTest {

  @Test
  void theHexOfAnIdIsOpenTelemetrysForEdgesAndSeededRandomIds() {
    long[] edges = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x00000000FFFFFFFFL,
        0xFFFFFFFF00000000L, 0x0123456789ABCDEFL, 0xFEDCBA9876543210L, 0x0A0B0C0D0E0F1011L};
    for (long id : edges) {
      assertThat(AgentSpan.hex(id)).isEqualTo(SpanId.fromLong(id));
    }
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 200_000; i++) {
      long id = random.nextLong();
      assertThat(AgentSpan.hex(id)).isEqualTo(SpanId.fromLong(id));
    }
  }
}
