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
  void aSegmentWrittenInFormat2ReplaysToExactlyItsRecords() throws IOException {
    List<LakeRecord> replayed = replayFixture(2);
    assertThat(replayed).containsExactlyElementsOf(SampleRecords.fixture(2));
    assertThat(((io.flowcost.collector.ingest.CallRecord) replayed.get(5)).providerCostUsd())
        .isEqualTo(new java.math.BigDecimal("0.013600000"));
  }

  @Test
  void aSegmentWrittenInFormat3ReplaysToExactlyItsRecords() throws IOException {
    List<LakeRecord> replayed = replayFixture(3);
    assertThat(replayed).containsExactlyElementsOf(SampleRecords.fixture(3));
    io.flowcost.collector.ingest.CallRecord foreign =
        (io.flowcost.collector.ingest.CallRecord) replayed.get(6);
    assertThat(foreign.responseId()).isEqualTo("chatcmpl-fixture3");
    assertThat(foreign.foreignSpan()).isTrue();
    assertThat(foreign.repeatedReport()).isTrue();
    // format 2 frames read the fields format 3 added as absent
    io.flowcost.collector.ingest.CallRecord older =
        (io.flowcost.collector.ingest.CallRecord) replayFixture(2).get(5);
    assertThat(older.responseId()).isNull();
    assertThat(older.foreignSpan()).isFalse();
    assertThat(older.repeatedReport()).isFalse();
  }

  @Test
  void theFixtureOfTheCurrentFormatIsByteForByteWhatThisReleaseWrites() throws IOException {
    // Proves the fixtures are real output, and makes a release that introduces a format add its
    // fixture (wal-fixtures/v<N>, written by WalFixtureWriter) and a replay test like the above.
    WalFixtureWriter.main(new String[] {dir.resolve("now").toString()});
    byte[] now = Files.readAllBytes(dir.resolve("now").resolve(SEGMENT));
    String committed = "/wal-fixtures/v" + RecordCodec.CURRENT_VERSION + "/" + SEGMENT;
    try (InputStream in = getClass().getResourceAsStream(committed)) {
      assertThat(in).as(committed + " on the test class path").isNotNull();
      assertThat(now).isEqualTo(in.readAllBytes());
    }
  }

  private List<LakeRecord> replayFixture(int version) throws IOException {
    Path copy = Files.createDirectories(dir.resolve("v" + version));
    try (InputStream in = getClass().getResourceAsStream("/wal-fixtures/v" + version + "/"
        + SEGMENT)) {
      assertThat(in).as("fixture v" + version + " on the test class path").isNotNull();
      Files.copy(in, copy.resolve(SEGMENT));
    }
    try (WriteAheadLog log = new WriteAheadLog(copy)) {
      return log.replay();
    }
  }

  @Test
  void formatTwoCarriesTheProviderCostAndVersionOneFramesReadItAsNull() throws IOException {
    // Format 2 appended providerCostUsd to calls; the replay above proves version-1 frames (the
    // committed fixture) still read, with no provider cost.
    List<LakeRecord> records = new ArrayList<>();
    for (LakeRecord r : SampleRecords.frame1()) {
      records.add(r instanceof io.flowcost.collector.ingest.CallRecord c
          ? new io.flowcost.collector.ingest.CallRecord(c.workflowId(), c.callId(), c.spanId(),
              c.parentSpanId(), c.kind(), c.operation(), c.service(), c.provider(),
              c.requestModel(), c.responseModel(), c.attempt(), c.status(), c.errorType(),
              c.httpStatus(), c.finishReason(), c.streaming(), c.usage(), c.costUsd(),
              c.cacheSavingsGrossUsd(), c.cacheSavingsNetUsd(), c.unpriced(), c.wasted(),
              c.wasteCause(), c.toolName(), c.httpHost(), c.httpPath(), c.startTime(),
              c.endTime(), c.catalogVersion(), c.priceKey(), c.receivedAt(),
              new java.math.BigDecimal("0.001234500"))
          : r);
    }
    byte[] frame = RecordCodec.encode(records);
    assertThat(frame[0]).isEqualTo((byte) RecordCodec.CURRENT_VERSION);
    List<LakeRecord> back = RecordCodec.decode(frame);
    assertThat(back).containsExactlyElementsOf(records);
    assertThat(back).filteredOn(r -> r instanceof io.flowcost.collector.ingest.CallRecord)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(((io.flowcost.collector.ingest.CallRecord) r)
            .providerCostUsd()).isEqualTo(new java.math.BigDecimal("0.001234500")));
    byte[] future = frame.clone();
    future[0] = (byte) (RecordCodec.CURRENT_VERSION + 1);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> RecordCodec.decode(future)))
        .isInstanceOf(RecordCodec.UnknownFormatException.class)
        .hasMessageContaining("format version " + (RecordCodec.CURRENT_VERSION + 1));
  }

}
