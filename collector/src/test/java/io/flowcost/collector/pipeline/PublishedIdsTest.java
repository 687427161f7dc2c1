package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishedIdsTest {

  @TempDir Path dir;

  @Test
  void keysSurviveAReopenOldestFirst() throws Exception {
    PublishedIds ids = new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC());
    ids.record(1, keys("c:a", "c:b"));
    ids.record(2, keys("o:x"));
    List<String> loaded = new ArrayList<>();
    assertThat(new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC())
        .load((k, fp) -> loaded.add(k))).isEqualTo(3);
    assertThat(loaded).containsExactly("c:a", "c:b", "o:x");
  }

  @Test
  void theOldestFilesGoWhenThereAreMoreKeysThanTheBoundOrTheyAreTooOld() throws Exception {
    PublishedIds ids = new PublishedIds(dir, Duration.ofHours(1), 5, Clock.systemUTC());
    ids.record(1, keys("c:1", "c:2", "c:3"));
    ids.record(2, keys("c:4", "c:5", "c:6"));
    List<String> loaded = new ArrayList<>();
    ids.load((k, fp) -> loaded.add(k));
    assertThat(loaded).containsExactly("c:4", "c:5", "c:6");

    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      }
    }
    ids.record(3, keys("c:7"));
    loaded.clear();
    ids.load((k, fp) -> loaded.add(k));
    assertThat(loaded).containsExactly("c:7");
  }

  @Test
  void fingerprintsAndKeysWithLineBreaksOrTabsSurviveAReopenUnchanged() throws Exception {
    PublishedIds ids = new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC());
    Map<String, String> written = new LinkedHashMap<>();
    written.put("o:plain", "0123456789abcdef");
    written.put("o:evil\nc:0000000000000001\tfff", "fedcba9876543210");
    written.put("o:100%0A", null);
    written.put("c:00f067aa0ba902b7", null);
    ids.record(1, written);
    Map<String, String> loaded = new LinkedHashMap<>();
    new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC()).load(loaded::put);
    // a client's outcome id cannot forge a second key (e.g. mark someone's span as seen)
    assertThat(loaded).containsExactlyEntriesOf(written);
  }

  private static Map<String, String> keys(String... keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, null);
    }
    return out;
  }
}
