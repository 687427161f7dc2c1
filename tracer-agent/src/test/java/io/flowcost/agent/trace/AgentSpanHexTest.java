package io.flowcost.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A span id's and a trace id's hex as the agent writes them are OpenTelemetry's {@code
 * SpanId.fromLong} and {@code TraceId.fromLongs}.
 */
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

  @Test
  void theHexOfATraceIdIsOpenTelemetrysForEdgesAndSeededRandomIds() {
    long[] edges = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x00000000FFFFFFFFL,
        0xFFFFFFFF00000000L, 0x0123456789ABCDEFL, 0xFEDCBA9876543210L, 0x0A0B0C0D0E0F1011L};
    for (long high : edges) {
      for (long low : edges) {
        assertThat(AgentSpan.traceHex(high, low)).isEqualTo(TraceId.fromLongs(high, low));
      }
    }
    SplittableRandom random = new SplittableRandom(19);
    for (int i = 0; i < 100_000; i++) {
      long high = random.nextLong();
      long low = random.nextLong();
      assertThat(AgentSpan.traceHex(high, low)).isEqualTo(TraceId.fromLongs(high, low));
    }
  }
}
