package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process dies with spooled spans; the next process on the machine sends them, in order. */
class CrashedSpoolReplayTest {

  @TempDir Path root;

  @Test
  void theSpoolOfACrashedProcessIsReplayedByTheNextOne() throws Exception {
    try (FakeCollector collector = new FakeCollector()) {
      Path out = root.resolve("child.txt");
      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), SpoolCrashMain.class.getName(),
          root.resolve("spool").toString(), collector.endpoint(), "30")
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(137);
      assertThat(Files.readString(out, StandardCharsets.UTF_8)).contains("spooled 30");

      collector.start();
      Spool spool = Spool.open(root.resolve("spool"), 1 << 20);
      assertThat(spool.adoptedFolders()).isEqualTo(1);
      SpanShipper next = new SpanShipper(new HttpTransport(collector.endpoint(), null), spool,
          1 << 20, "next-app").start();
      SpanShipperTest.await(() -> collector.received.size() == 30, "the left spool delivered");
      List<String> markers = collector.received.stream().map(r -> SpoolTest.marker(r.body()))
          .toList();
      assertThat(markers).hasSize(30).isSorted().doesNotHaveDuplicates();
      assertThat(markers.get(0)).isEqualTo("crash-000");
      System.out.println("crashed-process spool: 30 batches (60 spans) left by a halted JVM,"
          + " replayed in order by the next process: " + markers.size() + " delivered");
      next.shutdown(1_000);
    }
  }
}
