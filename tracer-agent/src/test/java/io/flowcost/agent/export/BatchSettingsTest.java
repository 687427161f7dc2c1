package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batch settings are read like every other agent setting (system property, then the
 * environment variable named like it), never from the application's {@code OTEL_BSP_*}; a bad
 * value is reported once, naming the setting and its range, and leaves the default.
 */
class BatchSettingsTest {

  private final List<String> log = new ArrayList<>();

  private BatchSettings read(Map<String, String> settings) {
    return BatchSettings.read(settings::get, log::add);
  }

  @Test
  void unsetMeansTheSdkDefaultsButABatchOf1024() {
    assertThat(read(Map.of())).isEqualTo(BatchSettings.DEFAULT);
    assertThat(BatchSettings.DEFAULT)
        .isEqualTo(new BatchSettings(8192, 1024, 5_000));
    assertThat(log).isEmpty();
  }

  @Test
  void eachSettingIsReadAsAPropertyOrItsEnvironmentVariableNeverOtelBsp() {
    AgentConfig config = AgentConfig.from(n -> null, n -> null);
    ExportSettings fromProperties = ExportSettings.from(config,
        Map.of("flowcost.bsp.max-export-batch-size", "64", "flowcost.bsp.max-queue-size", "2048",
            "flowcost.bsp.schedule-delay", "250")::get,
        Map.of("FLOWCOST_BSP_MAX_EXPORT_BATCH_SIZE", "128")::get);
    assertThat(fromProperties.batch()).as("the property wins")
        .isEqualTo(new BatchSettings(2048, 64, 250));

    ExportSettings fromEnvironment = ExportSettings.from(config, n -> null,
        Map.of("FLOWCOST_BSP_MAX_EXPORT_BATCH_SIZE", "128", "FLOWCOST_BSP_MAX_QUEUE_SIZE", "4096",
            "FLOWCOST_BSP_SCHEDULE_DELAY", "1000")::get);
    assertThat(fromEnvironment.batch()).isEqualTo(new BatchSettings(4096, 128, 1000));

    // the application's own OpenTelemetry SDK or agent reads these: tuning it leaves ours alone
    ExportSettings otel = ExportSettings.from(config,
        Map.of("otel.bsp.max.export.batch.size", "64")::get,
        Map.of("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64", "OTEL_BSP_MAX_QUEUE_SIZE", "100",
            "OTEL_BSP_SCHEDULE_DELAY", "10")::get);
    assertThat(otel.batch()).isEqualTo(BatchSettings.DEFAULT);
  }

  @Test
  void aBadValueIsLoggedWithTheSettingAndItsRangeAndLeavesTheDefault() {
    BatchSettings s = read(Map.of("flowcost.bsp.max-export-batch-size", "sixty-four",
        "flowcost.bsp.max-queue-size", "0", "flowcost.bsp.schedule-delay", "-5"));
    assertThat(s).isEqualTo(BatchSettings.DEFAULT);
    assertThat(log).containsExactly(
        "flowcost.bsp.max-queue-size must be a whole number from 1 to 1048576; the default 8192"
            + " is used",
        "flowcost.bsp.max-export-batch-size must be a whole number from 1 to 8192 (at most"
            + " flowcost.bsp.max-queue-size); the default 1024 is used",
        "flowcost.bsp.schedule-delay must be a whole number from 1 to 3600000 milliseconds; the"
            + " default 5000 is used");
    assertThat(String.join("\n", log)).as("the user's text is not echoed")
        .doesNotContain("sixty-four").doesNotContain("-5");
  }

  @Test
  void aBatchLargerThanTheQueueIsRefusedAndTheDefaultShrinksToASmallQueue() {
    assertThat(read(Map.of("flowcost.bsp.max-queue-size", "100",
        "flowcost.bsp.max-export-batch-size", "101")))
        .isEqualTo(new BatchSettings(100, 100, 5_000));
    assertThat(log).containsExactly("flowcost.bsp.max-export-batch-size must be a whole number"
        + " from 1 to 100 (at most flowcost.bsp.max-queue-size); the default 100 is used");

    log.clear();
    assertThat(read(Map.of("flowcost.bsp.max-queue-size", "300")))
        .as("unset, a batch never waits for more spans than the queue holds")
        .isEqualTo(new BatchSettings(300, 300, 5_000));
    assertThat(read(Map.of("flowcost.bsp.max-queue-size", "1048576",
        "flowcost.bsp.max-export-batch-size", " 1 ")))
        .isEqualTo(new BatchSettings(1 << 20, 1, 5_000));
    assertThat(read(Map.of("flowcost.bsp.max-queue-size", "1048577")).maxQueueSize())
        .as("a queue beyond the bound would be allocated when the agent starts")
        .isEqualTo(BatchSettings.DEFAULT_MAX_QUEUE_SIZE);
  }
}
