package io.flowcost.collector.pricing;

import io.flowcost.pricing.CatalogException;
import io.flowcost.pricing.PriceCatalog;
import io.flowcost.pricing.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceCatalogWatcherTest {

  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final TokenUsage USAGE = TokenUsage.builder().input(1_000_000).build();

  @TempDir
  Path dir;

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger jul = Logger.getLogger(PriceCatalogWatcher.class.getName());
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    jul.addHandler(handler);
  }

  @AfterEach
  void release() {
    jul.removeHandler(handler);
  }

  private static String catalog(String version, String input) {
    return "{\"version\": \"" + version + "\", \"models\": [{\"provider\": \"acme\","
        + " \"model\": \"m1\", \"input\": \"" + input + "\"}]}";
  }

  private static void rewrite(Path file, String json, int secondsLater) throws IOException {
    Files.writeString(file, json);
    // Move the modification time on explicitly: coarse file-system clocks must not hide it.
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
  }

  @Test
  void reloadsOnChangeAndKeepsTheOldCatalogWhenTheNewOneIsBroken() throws IOException {
    Path file = dir.resolve("prices.json");
    rewrite(file, catalog("v1", "1"), 0);
    try (PriceCatalogWatcher watcher = new PriceCatalogWatcher(file, PriceCatalog.bundled())) {
      assertThat(watcher.catalog().version()).isEqualTo("2026-11-24.1+litellm-1.110.2+v1");
      assertThat(watcher.pricer().priceModelCall("acme", "m1", NOW, USAGE).costUsd())
          .isEqualByComparingTo("1");
      assertThat(watcher.checkNow()).isFalse(); // unchanged

      rewrite(file, catalog("v2", "2"), 10);
      assertThat(watcher.checkNow()).isTrue();
      assertThat(watcher.catalog().version()).isEqualTo("2026-11-24.1+litellm-1.110.2+v2");
      assertThat(watcher.pricer().priceModelCall("acme", "m1", NOW, USAGE).costUsd())
          .isEqualByComparingTo("2");

      rewrite(file, "{\"version\": \"v3\", \"models\": [\n  {\"provider\": \"acme\"}\n]}", 20);
      assertThat(watcher.checkNow()).isFalse();
      assertThat(watcher.catalog().version()).isEqualTo("2026-11-24.1+litellm-1.110.2+v2");
      assertThat(records).anySatisfy(r -> {
        assertThat(r.getLevel()).isEqualTo(Level.WARNING);
        String msg = java.text.MessageFormat.format(r.getMessage(), r.getParameters());
        assertThat(msg).contains("Keeping price catalog 2026-11-24.1+litellm-1.110.2+v2")
            .contains(file + ":2: models[0]: 'model' is required");
      });
    }
  }

  @Test
  void pollsOnABackgroundThread() throws Exception {
    Path file = dir.resolve("prices.json");
    rewrite(file, catalog("v1", "1"), 0);
    try (PriceCatalogWatcher watcher = new PriceCatalogWatcher(file, PriceCatalog.bundled())
        .start(Duration.ofMillis(20))) {
      rewrite(file, catalog("v2", "2"), 10);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!watcher.catalog().version().endsWith("+v2") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(watcher.catalog().version()).isEqualTo("2026-11-24.1+litellm-1.110.2+v2");
    }
  }

  @Test
  void aBrokenFileAtStartUpFails() throws IOException {
    Path file = dir.resolve("prices.json");
    rewrite(file, "{\"version\": ", 0);
    assertThatThrownBy(() -> new PriceCatalogWatcher(file, PriceCatalog.bundled()))
        .isInstanceOf(CatalogException.class)
        .hasMessageStartingWith(file + ":1: invalid JSON");
  }
}
