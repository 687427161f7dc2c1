package io.flowcost.collector.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.LakeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades lose nothing: a log segment written by the release that introduced record format 1
 * (committed under {@code src/test/resources/wal-fixtures/v1}, see {@link WalFixtureWriter}) is
 * replayed by this release to exactly the records it holds. Keep this test, and the fixture,
 * in every later release.
 */
class WalFixtureTest {

  private static final String SEGMENT = "00000000000000000001.wal";

  @TempDir Path dir;

  @Test
  void aSegmentWrittenInFormat1ReplaysToExactlyItsRecords() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/wal-fixtures/v1/" + SEGMENT)) {
      assertThat(in).as("fixture on the test class path").isNotNull();
      Files.copy(in, dir.resolve(SEGMENT));
    }
    List<LakeRecord> expected = new ArrayList<>(SampleRecords.frame1());
    expected.addAll(SampleRecords.frame2());

    WriteAheadLog log = new WriteAheadLog(dir);
    List<LakeRecord> replayed = log.replay();
    log.close();

    assertThat(replayed).containsExactlyElementsOf(expected);
    // BigDecimal equality includes the scale: 12.50 stays 12.50, not 12.5
    assertThat(replayed.get(2)).isEqualTo(expected.get(2));
    assertThat(replayed.get(2).contentFingerprint()).isEqualTo(expected.get(2).contentFingerprint());
  }

  @Test
  void theFixtureIsByteForByteWhatThisReleaseWrites() throws IOException {
    // Proves the fixture is this release's own output rather than a hand-made file. A release
    // that moves to format 2 removes this method (and keeps the replay test above).
    WalFixtureWriter.main(new String[] {dir.resolve("now").toString()});
    byte[] now = Files.readAllBytes(dir.resolve("now").resolve(SEGMENT));
    byte[] committed;
    try (InputStream in = getClass().getResourceAsStream("/wal-fixtures/v1/" + SEGMENT)) {
      committed = in.readAllBytes();
    }
    assertThat(now).isEqualTo(committed);
  }
}
