package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The first failed send names the full URL and the setting to change. */
class ExportMessagesTest {

  @Test
  void a404NamesTheUrlAndTheEndpointSetting() {
    String line = SpanShipper.refused("http://127.0.0.1:9999/v1/traces", 404);
    assertThat(line).startsWith("POST http://127.0.0.1:9999/v1/traces returned 404: is"
        + " FLOWCOST_ENDPOINT (flowcost.endpoint) the collector's base URL (without /v1/traces)?")
        .contains("dropped");
  }

  @Test
  void aMissingKeyNamesTheApiKeySetting() {
    assertThat(SpanShipper.refused("http://h:1/v1/traces", 401))
        .contains("returned 401").contains("FLOWCOST_API_KEY (flowcost.api-key)");
    assertThat(SpanShipper.refused("http://h:1/v1/traces", 413)).contains("--max-body");
  }

  @Test
  void connectionRefusedNamesTheUrlTheSettingAndTheSpool() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    HttpTransport transport = new HttpTransport("http://127.0.0.1:" + port + "/v1/traces", null);
    IOException failure = null;
    try {
      transport.post(new byte[] {1});
    } catch (IOException e) {
      failure = e;
    }
    assertThat(failure).isNotNull();
    String line = SpanShipper.unreachable(transport.url(), failure, Path.of("/tmp/spool"));
    assertThat(line)
        .startsWith("POST http://127.0.0.1:" + port + "/v1/traces failed (java.net.ConnectException)")
        .contains("FLOWCOST_ENDPOINT (flowcost.endpoint)")
        .contains("spool /tmp/spool");
  }
}
