package io.flowcost.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {

  @TempDir Path tmp;

  @Test
  void aSecondClaimIsRefusedNamingTheHolderAndTheFix() throws Exception {
    Path data = tmp.resolve("data");
    try (DataDirLock first = DataDirLock.acquire(data, 4318)) {
      first.listening(43180);
      String pid = Long.toString(ProcessHandle.current().pid());
      assertThat(Files.readString(first.file(), StandardCharsets.UTF_8))
          .startsWith("pid " + pid + " on ").contains(", port 43180, since ");
      assertThatThrownBy(() -> DataDirLock.acquire(data, 4319))
          .isInstanceOf(DataDirLock.DataDirInUseException.class)
          .hasMessageContaining(data.toAbsolutePath().toString())
          .hasMessageContaining("pid " + pid)
          .hasMessageContaining("port 43180")
          .hasMessageContaining("another --data-dir");
    }
    // Released: the next collector takes it and rewrites the identity.
    try (DataDirLock second = DataDirLock.acquire(data, 4319)) {
      assertThat(Files.readString(second.file(), StandardCharsets.UTF_8))
          .contains(", port 4319, ").doesNotContain("43180");
    }
  }

  @Test
  void aStaleLockFileWithoutItsProcessDoesNotBlock() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    // What a collector killed with -9 leaves behind: the file, but no lock.
    Files.writeString(data.resolve(DataDirLock.FILE), "pid 1 on gone, port 4318, since x\n");
    try (DataDirLock claim = DataDirLock.acquire(data, 0)) {
      assertThat(Files.readString(claim.file(), StandardCharsets.UTF_8))
          .startsWith("pid " + ProcessHandle.current().pid() + " on ").doesNotContain("port");
    }
  }

  @Test
  void anEmbeddedCollectorHoldsItsDataDirUntilClosed() throws Exception {
    Path data = tmp.resolve("data");
    Collector.Config config = Collector.Config.builder()
        .port(0)
        .localLake(tmp.resolve("lake"))
        .dataDir(data)
        .flushInterval(java.time.Duration.ofSeconds(60))
        .rollupDelay(java.time.Duration.ofHours(1))
        .maxBodyBytes(1 << 20)
        .maxBufferedRows(1000)
        .instanceId("a")
        .build();
    Collector first = Collector.start(config);
    try {
      assertThat(Files.readString(data.resolve(DataDirLock.FILE), StandardCharsets.UTF_8))
          .contains(", port " + first.port() + ", ");
      assertThatThrownBy(() -> Collector.start(config))
          .isInstanceOf(DataDirLock.DataDirInUseException.class)
          .hasMessageContaining("port " + first.port());
    } finally {
      first.close();
    }
    Collector.start(config).close();
  }
}
