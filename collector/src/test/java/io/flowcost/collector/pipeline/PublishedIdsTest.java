package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishedIdsTest {

  @TempDir Path dir;

  @Test
  void keysSurviveAReopenOldestFirst() throws Exception {
    PublishedIds ids = new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC());
    ids.record(1, List.of("c:a", "c:b"));
    ids.record(2, List.of("o:x"));
    List<String> loaded = new ArrayList<>();
    assertThat(new PublishedIds(dir, Duration.ofHours(24), 1_000, Clock.systemUTC())
        .load(loaded::add)).isEqualTo(3);
    assertThat(loaded).containsExactly("c:a", "c:b", "o:x");
  }

  @Test
  void theOldestFilesGoWhenThereAreMoreKeysThanTheBoundOrTheyAreTooOld() throws Exception {
    PublishedIds ids = new PublishedIds(dir, Duration.ofHours(1), 5, Clock.systemUTC());
    ids.record(1, List.of("c:1", "c:2", "c:3"));
    ids.record(2, List.of("c:4", "c:5", "c:6"));
    List<String> loaded = new ArrayList<>();
    ids.load(loaded::add);
    assertThat(loaded).containsExactly("c:4", "c:5", "c:6");

    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      }
    }
    ids.record(3, List.of("c:7"));
    loaded.clear();
    ids.load(loaded::add);
    assertThat(loaded).containsExactly("c:7");
  }
}
