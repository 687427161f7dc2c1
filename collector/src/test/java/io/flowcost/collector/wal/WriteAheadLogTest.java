package io.flowcost.collector.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {

  @TempDir Path dir;

  private static final List<LakeRecord> A = SampleRecords.frame1();
  private static final List<LakeRecord> B = SampleRecords.frame2();

  @Test
  void recordsAppendedBeforeACrashAreReplayedInOrderByTheNextProcess() throws IOException {
    WriteAheadLog first = new WriteAheadLog(dir);
    first.append(A);
    first.append(B);
    // no close(): the process dies here
    WriteAheadLog second = new WriteAheadLog(dir);
    assertThat(second.replay()).containsExactlyElementsOf(concat(A, B));
    second.close();
  }

  @Test
  void aTornLastFrameIsIgnoredAndEverythingBeforeItSurvives() throws IOException {
    WriteAheadLog log = new WriteAheadLog(dir);
    log.append(A);
    log.append(B);
    log.close();
    try (RandomAccessFile f = new RandomAccessFile(firstSegment().toFile(), "rw")) {
      f.setLength(f.length() - 3); // crash in the middle of the second frame
    }
    assertThat(new WriteAheadLog(dir).replay()).containsExactlyElementsOf(A);
  }

  /**
   * A group larger than the 64 MiB replay used to accept (several requests near the body limit in
   * one group commit) is replayed whole, and so is the frame after it: replay read such a frame
   * as a torn tail and dropped both, after both had been acknowledged. Its strings are over 1 MiB
   * each, which the codec wrote and then refused to read back ("implausible string length"), so a
   * collector holding one in its log could not start.
   */
  @Test
  void aGroupLargerThanSixtyFourMebibytesAndTheFrameAfterItAreReplayed() throws IOException {
    List<LakeRecord> big = new ArrayList<>();
    String mebibyte = "x".repeat(1 << 20);
    for (int i = 0; i < 66; i++) {
      big.add(new OutcomeRecord("o-" + i + "-" + mebibyte, "wf", null, "success", null, null,
          null, java.time.Instant.parse("2026-11-24T11:00:00Z"), false,
          java.time.Instant.parse("2026-11-24T11:00:00Z")));
    }
    WriteAheadLog log = new WriteAheadLog(dir);
    log.append(big);
    log.append(A);
    // no close(): the process dies here
    assertThat(Files.size(firstSegment())).isGreaterThan(64L << 20);
    List<LakeRecord> replayed = new WriteAheadLog(dir).replay();
    // sizes and a boolean, not the lists: a failure message would print 66 MiB of text
    assertThat(replayed.size()).isEqualTo(big.size() + A.size());
    assertThat(replayed.subList(0, big.size()).equals(big)).as("the large group").isTrue();
    assertThat(replayed.subList(big.size(), replayed.size())).isEqualTo(A);
  }

  @Test
  void segmentsUpToTheFlushedOneAreDeletedAndLaterOnesKept() throws IOException {
    WriteAheadLog log = new WriteAheadLog(dir);
    log.append(A);
    long closed = log.rotate();
    log.append(B);
    log.deleteUpTo(closed);
    log.close();
    assertThat(new WriteAheadLog(dir).replay()).containsExactlyElementsOf(B);
  }

  @Test
  void aFrameOfAnUnknownFormatVersionIsRefusedWithAMessageNamingTheVersionAndFile()
      throws IOException {
    byte[] payload = RecordCodec.encode(A);
    payload[0] = 9; // a format some later release might write
    writeRawFrame(payload);
    assertThatThrownBy(() -> new WriteAheadLog(dir).replay())
        .isInstanceOf(RecordCodec.UnknownFormatException.class)
        .hasMessageContaining("format version 9")
        .hasMessageContaining("00000000000000000001.wal");
  }

  @Test
  void aJavaSerializedFrameOfAnOlderReleaseIsRefusedWithAnUpgradeHint() throws IOException {
    byte[] payload = {(byte) 0xAC, (byte) 0xED, 0, 5, 0x73, 0x72};
    writeRawFrame(payload);
    assertThatThrownBy(() -> new WriteAheadLog(dir).replay())
        .isInstanceOf(RecordCodec.UnknownFormatException.class)
        .hasMessageContaining("Java-serialized")
        .hasMessageContaining("SIGTERM");
  }

  @Test
  void aValidChecksumOverUndecodableBytesIsAnErrorNotSilentLoss() throws IOException {
    byte[] payload = RecordCodec.encode(A);
    payload[5] = 77; // the first record's tag
    writeRawFrame(payload);
    assertThatThrownBy(() -> new WriteAheadLog(dir).replay())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unknown record tag 77");
  }

  /**
   * A group commit's frame written from the requests' own encodings (pieces, some records left
   * out as duplicates) is byte for byte the frame of the chosen records encoded together, and
   * replays as them.
   */
  @Test
  void aFrameWrittenInPiecesIsTheFrameOfTheChosenRecords() throws IOException {
    List<LakeRecord> all = concat(A, B);
    RecordCodec.Encoded first = RecordCodec.encodeEach(A);
    RecordCodec.Encoded second = RecordCodec.encodeEach(B);
    RecordCodec.Encoded third = RecordCodec.encodeEach(all);
    // all of A; B's first, then its third onwards (two runs); none of the third request
    int[] pickB = new int[B.size() - 1];
    for (int k = 0; k < pickB.length; k++) {
      pickB[k] = k == 0 ? 0 : k + 1;
    }
    List<RecordCodec.Encoded> encodings = List.of(first, second, third);
    List<int[]> chosen = java.util.Arrays.asList(null, pickB, new int[0]);
    List<LakeRecord> expected = new ArrayList<>(A);
    for (int i : pickB) {
      expected.add(B.get(i));
    }
    ByteBuffer[] pieces = RecordCodec.payloadPieces(encodings, chosen);
    assertThat(pieces).hasSize(1 + 1 + 2); // header, A whole, B's two runs
    byte[] joined = RecordCodec.payload(encodings, chosen);
    assertThat(joined).isEqualTo(RecordCodec.encode(expected));

    WriteAheadLog log = new WriteAheadLog(dir);
    log.append(expected, pieces);
    log.close();
    assertThat(Files.readAllBytes(dir.resolve("00000000000000000001.wal")))
        .isEqualTo(WriteAheadLog.frame(RecordCodec.encode(expected)).array());
    assertThat(new WriteAheadLog(dir).replay()).containsExactlyElementsOf(expected);
  }

  @Test
  void everyRecordKindSurvivesTheCodecUnchanged() throws IOException {
    List<LakeRecord> all = concat(A, B);
    assertThat(RecordCodec.decode(RecordCodec.encode(all))).containsExactlyElementsOf(all);
    assertThat(RecordCodec.encode(all)[0]).isEqualTo((byte) RecordCodec.CURRENT_VERSION);
  }

  @Test
  void stringsComeBackExactlyEvenWithNulAstralCharactersAndLoneSurrogates() throws IOException {
    String odd = "a\u0000b \uD83D\uDE00 lone \uD800 end \uDC00";
    OutcomeRecord o = new OutcomeRecord("id-" + odd, null, odd, "success", odd, null, null,
        java.time.Instant.parse("2026-11-24T11:00:00Z"), false,
        java.time.Instant.parse("2026-11-24T11:00:00Z"));
    assertThat(RecordCodec.decode(RecordCodec.encode(List.of(o)))).containsExactly(o);
    // for ordinary text the bytes are plain UTF-8
    assertThat(RecordCodec.modifiedUtf8("refund-request ✓"))
        .isEqualTo("refund-request ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * The writer's bytes for a string are Java's modified UTF-8 ({@link RecordCodec#modifiedUtf8},
   * the reference) after a presence byte and a 4-byte length, whatever the chars: ASCII (one bulk
   * copy), chars at each encoding-length edge, a char above 0xFF whose low byte is ASCII ('Ł' is
   * U+0141, low byte 'A': a byte-level check would take it for ASCII), NUL, astral and lone
   * surrogates, and strings longer than the writer's reused char buffer.
   */
  @Test
  void aStringIsWrittenAsModifiedUtf8AfterItsLengthWhateverItsChars() {
    List<String> texts = new ArrayList<>(List.of("", "a", "gpt-4o-mini", "\u007F", "\u0080",
        "é", "\u00FF", "Łódź", "\u0141A", "A\u0141", "\u07FF", "\u0800", "\uFFFF", "a\u0000b",
        "\uD83D\uDE00", "lone \uD800", "\uDC00 end", "x".repeat(300), "ü".repeat(200) + "a",
        "a".repeat(150) + "\u0141"));
    for (String text : texts) {
      OutcomeRecord o = new OutcomeRecord(text, null, null, "success", null, null, null,
          java.time.Instant.parse("2026-11-24T11:00:00Z"), false,
          java.time.Instant.parse("2026-11-24T11:00:00Z"));
      byte[] payload = RecordCodec.encode(List.of(o));
      byte[] expected = RecordCodec.modifiedUtf8(text);
      // version (1) + count (4) + record tag (1), then the outcome id: present, length, bytes
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload, 6, payload.length - 6);
      assertThat(b.get()).as(text).isEqualTo((byte) 1);
      assertThat(b.getInt()).as(text).isEqualTo(expected.length);
      assertThat(java.util.Arrays.copyOfRange(payload, 11, 11 + expected.length)).as(text)
          .isEqualTo(expected);
    }
  }

  @Test
  void decimalsOfEveryByteLengthComeBackWithTheirValueAndScale() throws IOException {
    // 1 to 8 bytes are read as a long, longer ones through BigInteger: both sides of each edge
    List<java.math.BigDecimal> values = new ArrayList<>();
    for (int bits = 0; bits <= 70; bits++) {
      java.math.BigInteger p = java.math.BigInteger.ONE.shiftLeft(bits);
      for (java.math.BigInteger v : List.of(p, p.subtract(java.math.BigInteger.ONE), p.negate(),
          p.negate().subtract(java.math.BigInteger.ONE))) {
        values.add(new java.math.BigDecimal(v, bits % 12));
      }
    }
    values.add(new java.math.BigDecimal("0.000000000"));
    values.add(new java.math.BigDecimal("-7E+3"));
    List<LakeRecord> records = new ArrayList<>();
    for (java.math.BigDecimal v : values) {
      records.add(new OutcomeRecord("o-" + records.size(), "wf", null, "success", null, v, "usd",
          java.time.Instant.parse("2026-11-24T11:00:00Z"), true,
          java.time.Instant.parse("2026-11-24T11:00:01.123456789Z")));
    }
    List<LakeRecord> back = RecordCodec.decode(RecordCodec.encode(records));
    assertThat(back).containsExactlyElementsOf(records);
    for (int i = 0; i < values.size(); i++) {
      java.math.BigDecimal got = ((OutcomeRecord) back.get(i)).value();
      assertThat(got.unscaledValue()).isEqualTo(values.get(i).unscaledValue());
      assertThat(got.scale()).isEqualTo(values.get(i).scale());
    }
  }

  @Test
  void aFrameCutAnywhereIsAnErrorNeverAShorterList() throws IOException {
    byte[] whole = RecordCodec.encode(concat(A, B));
    for (int cut = 5; cut < whole.length; cut += 7) {
      byte[] part = java.util.Arrays.copyOf(whole, cut);
      assertThatThrownBy(() -> RecordCodec.decode(part)).isInstanceOf(IOException.class);
    }
  }

  private void writeRawFrame(byte[] payload) throws IOException {
    ByteBuffer frame = WriteAheadLog.frame(payload);
    byte[] bytes = new byte[frame.remaining()];
    frame.get(bytes);
    Files.write(dir.resolve("00000000000000000001.wal"), bytes);
  }

  private Path firstSegment() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
    }
  }

  private static List<LakeRecord> concat(List<LakeRecord> a, List<LakeRecord> b) {
    List<LakeRecord> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
