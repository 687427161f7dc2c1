package io.flowcost.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.metrics.MetricsSettings;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Collector.Config.Builder}: its defaults are {@code serve}'s, and bad settings are named. */
class CollectorConfigTest {

  @TempDir Path tmp;

  private Collector.Config.Builder minimal() {
    return Collector.Config.builder().localLake(tmp.resolve("lake")).dataDir(tmp.resolve("data"));
  }

  @Test
  void theBufferedRowsBoundFollowsTheHeapWithinItsLimits() {
    long mib = 1024L * 1024;
    // half of 512 MiB at 1,536 bytes a row: a 512 MB collector answers 503 before it runs out
    assertThat(Collector.Config.defaultMaxBufferedRows(512 * mib)).isEqualTo(174_762L);
    // large heaps keep the old fixed bound, tiny ones a floor
    assertThat(Collector.Config.defaultMaxBufferedRows(16 * 1024 * mib)).isEqualTo(2_000_000L);
    assertThat(Collector.Config.defaultMaxBufferedRows(8 * mib)).isEqualTo(10_000L);
  }

  @Test
  void onlyTheLakeAndDataDirAreRequiredEverythingElseHasServesDefault() {
    Collector.Config c = minimal().build();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(4318);
    assertThat(c.store()).isInstanceOf(LocalDirectoryStore.class);
    assertThat(c.lakeUri()).isEqualTo(tmp.resolve("lake").toAbsolutePath().toString());
    assertThat(c.lakeReadRoot()).isEqualTo(tmp.resolve("lake").toAbsolutePath());
    assertThat(c.dataDir()).isEqualTo(tmp.resolve("data"));
    assertThat(c.pricesFile()).isNull();
    assertThat(c.apiKeysFile()).isNull();
    assertThat(c.flushInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.rollupDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(c.maxBufferedRows())
        .isEqualTo(Collector.Config.defaultMaxBufferedRows(Runtime.getRuntime().maxMemory()));
    assertThat(c.horizonDays()).isEqualTo(7);
    assertThat(c.instanceId()).isNull();
    assertThat(c.tlsCert()).isNull();
    assertThat(c.tlsKey()).isNull();
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxInFlightBodyBytes()).isZero();
    assertThat(c.inFlightBodyBytes())
        .isEqualTo(Collector.Config.defaultMaxInFlightBodyBytes(16L * 1024 * 1024));
    assertThat(c.metrics()).isEqualTo(MetricsSettings.DEFAULTS);
    assertThat(c.shutdownGrace()).as("inside Kubernetes' default 30 s")
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void toBuilderKeepsEverySettingAndChangesOnlyWhatIsSet() {
    Collector.Config a = minimal().port(0).instanceId("a").flushInterval(Duration.ofSeconds(2))
        .maxBodyBytes(1 << 20).maxInFlightBodyBytes(4 << 20)
        .shutdownGrace(Duration.ofSeconds(7)).build();
    Collector.Config b = a.toBuilder().instanceId("b").build();
    assertThat(b.instanceId()).isEqualTo("b");
    assertThat(b.port()).isZero();
    assertThat(b.flushInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.maxBodyBytes()).isEqualTo(1 << 20);
    assertThat(b.inFlightBodyBytes()).isEqualTo(4 << 20);
    assertThat(b.store()).isSameAs(a.store());
    assertThat(b.shutdownGrace()).isEqualTo(Duration.ofSeconds(7));
    assertThat(a.instanceId()).isEqualTo("a");
  }

  @Test
  void aMissingLakeOrDataDirIsNamed() {
    assertThatThrownBy(() -> Collector.Config.builder().dataDir(tmp).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no lake")
        .hasMessageContaining("--lake");
    assertThatThrownBy(() -> Collector.Config.builder().localLake(tmp).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no data dir")
        .hasMessageContaining("--data-dir");
  }

  @Test
  void outOfRangeSettingsNameTheirServeOption() {
    assertThatThrownBy(() -> minimal().port(70_000).build())
        .hasMessageContaining("--port").hasMessageContaining("70000");
    assertThatThrownBy(() -> minimal().host(" ").build()).hasMessageContaining("--host");
    assertThatThrownBy(() -> minimal().flushInterval(Duration.ZERO).build())
        .hasMessageContaining("--flush-interval");
    assertThatThrownBy(() -> minimal().rollupDelay(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("--rollup-delay");
    assertThatThrownBy(() -> minimal().requestTimeout(null).build())
        .hasMessageContaining("--request-timeout");
    assertThatThrownBy(() -> minimal().shutdownGrace(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("--shutdown-grace");
    assertThat(minimal().shutdownGrace(Duration.ZERO).build().shutdownGrace()).isZero();
    assertThatThrownBy(() -> minimal().maxBodyBytes(0).build()).hasMessageContaining("--max-body");
    assertThatThrownBy(() -> minimal().maxBufferedRows(0).build())
        .hasMessageContaining("--max-buffered-rows");
    assertThatThrownBy(() -> minimal().horizonDays(0).build())
        .hasMessageContaining("--horizon-days");
    assertThatThrownBy(() -> minimal().tls(tmp.resolve("cert.pem"), null).build())
        .hasMessageContaining("--tls-cert").hasMessageContaining("--tls-key");
    assertThatThrownBy(() -> minimal().maxBodyBytes(1000).maxInFlightBodyBytes(1999).build())
        .hasMessage("--max-inflight-bytes must be at least twice --max-body (2000), so that one"
            + " largest request, compressed and decompressed, always fits");
    assertThat(minimal().maxBodyBytes(1000).maxInFlightBodyBytes(2000).build()
        .inFlightBodyBytes()).isEqualTo(2000);
  }
}
