package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportSettingsTest {

  @Test
  void theDefaultSpoolRootIsKeyedByServiceNotByEndpoint() {
    ExportSettings a = settings(Map.of("flowcost.endpoint", "http://127.0.0.1:4318",
        "flowcost.service", "claims desk/1"));
    ExportSettings b = settings(Map.of("flowcost.endpoint", "http://127.0.0.1:4319",
        "flowcost.service", "claims desk/1"));
    ExportSettings other = settings(Map.of("flowcost.endpoint", "http://127.0.0.1:4318",
        "flowcost.service", "billing"));
    assertThat(a.spoolRoot()).as("a wrong port does not strand the spool").isEqualTo(b.spoolRoot());
    assertThat(a.spoolRoot()).isNotEqualTo(other.spoolRoot());
    Path parent = Path.of(System.getProperty("java.io.tmpdir"), "flowcost-spool");
    assertThat(a.spoolRoot().getParent()).isEqualTo(parent.resolve("services"));
    assertThat(a.spoolRoot().getFileName().toString()).startsWith("claims_desk_1-");
    assertThat(a.legacySpoolParent()).isEqualTo(parent);
    // the outcome API spools into outcomes/ of the same root: one layout, two definitions
    assertThat(io.flowcost.outcome.internal.Settings.defaultSpoolRoot("claims desk/1"))
        .isEqualTo(a.spoolRoot());
    assertThat(a.spoolMaxBytes()).isEqualTo(ExportSettings.DEFAULT_SPOOL_MAX_BYTES);
    assertThat(a.memoryMaxBytes()).isEqualTo(ExportSettings.DEFAULT_MEMORY_MAX_BYTES);
  }

  @Test
  void propertiesWinOverTheEnvironmentAndBadNumbersFallBackToDefaults() {
    AgentConfig config = AgentConfig.from(n -> null, n -> null);
    ExportSettings s = ExportSettings.from(config,
        Map.of("flowcost.spool.dir", "/var/spool/app", "flowcost.spool.max-bytes", "-3")::get,
        Map.of("FLOWCOST_SPOOL_DIR", "/ignored", "FLOWCOST_QUEUE_MAX_BYTES", "1024")::get);
    assertThat(s.spoolRoot()).isEqualTo(Path.of("/var/spool/app"));
    assertThat(s.legacySpoolParent()).as("no migration into a chosen directory").isNull();
    assertThat(s.spoolMaxBytes()).isEqualTo(ExportSettings.DEFAULT_SPOOL_MAX_BYTES);
    assertThat(s.memoryMaxBytes()).isEqualTo(1024);
  }

  private static ExportSettings settings(Map<String, String> props) {
    return ExportSettings.from(AgentConfig.from(props::get, n -> null), props::get, n -> null);
  }
}
