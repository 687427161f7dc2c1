package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DroppedSpansReportTest {

  @Test
  void encodesTheRequestTheCollectorDecodes() {
    // The same bytes are decoded by the collector in AgentDropReportTest (collector module):
    // ExportTraceServiceRequest{resource_spans{resource{attributes:[service.name="svc",
    // flowcost.agent.dropped_spans=85]}}}
    assertThat(HexFormat.of().formatHex(DroppedSpansReport.encode("svc", 85))).isEqualTo(
        "0a3d0a3b0a150a0c736572766963652e6e616d6512050a037376630a220a1c666c6f77636f73742e6167656e74"
            + "2e64726f707065645f7370616e7312021855");
  }

  @Test
  void largeCountsUseMultiByteVarints() {
    byte[] small = DroppedSpansReport.encode("svc", 1);
    byte[] large = DroppedSpansReport.encode("svc", 1L << 40);
    assertThat(large.length - small.length).isEqualTo(5);
  }
}
