package io.flowcost.outcome.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpoolSettingsTest {

  @Test
  void settingsFollowTheAgentsNames() {
    Settings s = Settings.from(Map.of("flowcost.spool.dir", "/var/spool/app",
        "flowcost.shutdown.timeout.ms", "1500", "flowcost.service", "billing")::get,
        Map.of("FLOWCOST_SPOOL_MAX_BYTES", "4096")::get);
    assertThat(s.spoolDir()).isEqualTo(Path.of("/var/spool/app/outcomes"));
    assertThat(s.spoolMaxBytes()).isEqualTo(4096);
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
    Settings d = Settings.from(Map.of("flowcost.endpoint", "http://127.0.0.1:1",
        "flowcost.service", "billing")::get, n -> null);
    Settings other = Settings.from(Map.of("flowcost.endpoint", "http://127.0.0.1:2",
        "flowcost.service", "billing")::get, n -> null);
    assertThat(d.spoolDir()).as("not keyed by endpoint").isEqualTo(other.spoolDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "flowcost-spool", "services")
            .resolve("billing-" + Integer.toHexString("billing".hashCode())).resolve("outcomes"));
    assertThat(d.spoolMaxBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(d.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
  }


  @Test
  void aRecordRoundTripsAndAnythingElseIsNotRead() {
    Spool.Document d = new Spool.Document("/v1/traces", "{\"a\":\"é\\n\"}", "workflow span");
    assertThat(Spool.decode(Spool.encode(d))).isEqualTo(d);
    assertThat(Spool.decode("flowcost-report 2\npath /v1/traces\nkind x\n\n{}".getBytes()))
        .isNull();
    assertThat(Spool.decode("flowcost-report 1\npath http://evil/\nkind x\n\n{}".getBytes()))
        .isNull();
    assertThat(Spool.decode("flowcost-report 1\npath /v1/outcomes\nkind outcome\n\n".getBytes()))
        .isNull();
    assertThat(Spool.decode(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5})).isNull();
  }
}
