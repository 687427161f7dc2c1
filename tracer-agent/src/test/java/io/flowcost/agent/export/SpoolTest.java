package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

  @TempDir Path root;

  @Test
  void stampsAreTheMillisAndSequenceZeroPaddedAsBefore() throws Exception {
    for (long v : new long[] {0, 7, 123_456_789, 999_999_999, 1_234_567_890_123L,
        12_345_678_901_234L}) {
      assertThat(Spool.zeroPadded(new StringBuilder(), v, 9).toString())
          .isEqualTo(String.format("%09d", v));
      assertThat(Spool.zeroPadded(new StringBuilder(), v, 13).toString())
          .isEqualTo(String.format("%013d", v));
    }
    Spool spool = Spool.open(root, 1_000);
    long before = System.currentTimeMillis();
    String first = spool.nextStamp();
    String second = spool.nextStamp();
    assertThat(first).matches("\\d{13}-000000001");
    assertThat(second).endsWith("-000000002");
    assertThat(Long.parseLong(first.substring(0, 13))).isBetween(before,
        System.currentTimeMillis());
    spool.close();
  }

  @Test
  void whenTheBoundIsHitTheOldestBatchesAreDroppedAndCounted() throws Exception {
    Spool spool = Spool.open(root, 1_000);
    for (int i = 0; i < 10; i++) {
      spool.append(body("batch-" + i, 300), 3);
    }
    assertThat(spool.bytes()).isLessThanOrEqualTo(1_000);
    assertThat(spool.size()).isEqualTo(3);
    assertThat(spool.droppedSpans()).isEqualTo(7 * 3);
    assertThat(texts(spool)).containsExactly("batch-7", "batch-8", "batch-9");
    // a batch larger than the whole bound is dropped, not allowed to evict everything
    spool.append(new byte[2_000], 11);
    assertThat(spool.size()).isEqualTo(3);
    assertThat(spool.droppedSpans()).isEqualTo(7 * 3 + 11);
    spool.droppedReported(21);
    assertThat(spool.droppedSpans()).isEqualTo(11);
    spool.close();
  }

  /** A request in the middle of a longer array (as the exporter hands them over) spools as itself. */
  @Test
  void aRequestAtAnOffsetIsSpooledAsItsBytesAlone() throws Exception {
    Spool spool = Spool.open(root, 1_000_000);
    byte[] request = body("middle", 70_000); // several write chunks
    byte[] array = new byte[request.length + 40];
    java.util.Arrays.fill(array, (byte) 'x');
    System.arraycopy(request, 0, array, 17, request.length);
    spool.append(array, 17, request.length, 5, spool.nextStamp());
    assertThat(spool.size()).isEqualTo(1);
    assertThat(spool.read(spool.oldest())).isEqualTo(request);
    spool.close();
  }

  @Test
  void theNextProcessAdoptsALeftSpoolInOrderWithItsDropCount() throws Exception {
    Spool first = Spool.open(root, 1_000);
    for (int i = 0; i < 5; i++) {
      first.append(body("old-" + i, 300), 2);
    }
    Path firstDir = first.directory();
    first.close(); // lock released, files left: what a dead process leaves behind

    Spool second = Spool.open(root, 10_000);
    assertThat(second.adoptedFolders()).isEqualTo(1);
    assertThat(firstDir).doesNotExist();
    second.append(body("new-0", 300), 2);
    assertThat(texts(second)).containsExactly("old-2", "old-3", "old-4", "new-0");
    assertThat(second.droppedSpans()).isEqualTo(2 * 2);
    second.close();
  }

  @Test
  void aLiveProcessesSpoolIsLeftAlone() throws Exception {
    Spool live = Spool.open(root, 1_000);
    live.append(body("mine", 100), 1);
    Spool other = Spool.open(root, 1_000);
    assertThat(other.adoptedFolders()).isZero();
    assertThat(texts(live)).containsExactly("mine");
    other.close();
    live.close();
  }

  @Test
  void orphansOfTheOldEndpointKeyedLayoutAreAdoptedAndOtherFoldersLeftAlone() throws Exception {
    Path parent = root.resolve("flowcost-spool");
    Path legacy = parent.resolve("127.0.0.1_4319-5c3f2a1b"); // written for a wrong port
    Spool old = Spool.open(legacy, 1_000);
    old.append(body("for-4319", 100), 4);
    old.close();
    Path hyphenated = parent.resolve("flowcost-collector.local_4318-8f00e1"); // a host with '-'
    Spool older = Spool.open(hyphenated, 1_000);
    older.append(body("for-host", 100), 2);
    older.close();
    Path outcomes = Files.createDirectories(parent.resolve("services/app-1/outcomes/12-ab"));
    Files.writeString(outcomes.resolve("lock"), "");
    Files.writeString(outcomes.resolve("1.outcome"), "kept");
    Path users = Files.createDirectories(parent.resolve("services/app-1/my-notes"));
    Files.writeString(users.resolve("x.otlp"), "kept");

    Spool current = Spool.open(parent.resolve("services/app-1"), 1_000, parent);
    assertThat(current.adoptedFolders()).isEqualTo(2);
    assertThat(texts(current)).containsExactlyInAnyOrder("for-4319", "for-host");
    assertThat(legacy).as("the emptied legacy root is removed").doesNotExist();
    assertThat(hyphenated).doesNotExist();
    assertThat(outcomes.resolve("1.outcome")).hasContent("kept");
    assertThat(users.resolve("x.otlp")).hasContent("kept");
    current.close();
  }

  static byte[] body(String marker, int size) {
    byte[] b = new byte[size];
    byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(m, 0, b, 0, m.length);
    return b;
  }

  static String marker(byte[] body) {
    int end = 0;
    while (end < body.length && body[end] != 0) {
      end++;
    }
    return new String(body, 0, end, StandardCharsets.US_ASCII);
  }

  private static List<String> texts(Spool spool) throws Exception {
    List<String> out = new ArrayList<>();
    for (String name : spool.names()) {
      out.add(marker(Files.readAllBytes(spool.directory().resolve(name))));
    }
    return out;
  }

  @Test
  void theFolderIsNamedAfterThisProcessWithoutAskingProcessHandle() throws Exception {
    assertThat(Spool.processId()).isEqualTo(ProcessHandle.current().pid());
  }
}
