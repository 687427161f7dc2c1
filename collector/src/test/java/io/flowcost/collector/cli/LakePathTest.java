package io.flowcost.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.status.CollectorStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code report}, {@code rollup} and {@code compact} refuse a path that is not a Flowcost lake
 * (exit code 2, saying what they expected) and never create it; {@code report} says when the
 * collector writing the lake has not flushed yet.
 */
class LakePathTest {

  @TempDir
  Path tmp;

  // report also reads ./flowcost-data by default: tests run where no collector left one

  /** What a command printed and returned. */
  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream sysout = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(sysout, true, StandardCharsets.UTF_8));
      code = new CommandLine(new FlowcostCollector()).setOut(new PrintWriter(out, true))
          .setErr(new PrintWriter(err, true)).execute(args);
    } finally {
      System.setOut(old);
    }
    return new Run(code, out + sysout.toString(StandardCharsets.UTF_8), err.toString());
  }

  @Test
  void aMissingDirectoryIsRefusedAndNotCreated() {
    Path typo = tmp.resolve("flowcost-lak");
    for (String command : List.of("report", "rollup", "compact")) {
      Run r = run(command, "--lake", typo.toString());
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err()).as(command)
          .contains("flowcost-collector " + command + ": no Flowcost lake at " + typo)
          .contains("does not exist")
          .contains("--lake (default ./flowcost-lake)")
          .contains("calls/, workflow_spans/, outcomes/");
      assertThat(typo).as(command).doesNotExist();
    }
  }

  @Test
  void aFileIsRefused() throws IOException {
    Path readme = Files.writeString(tmp.resolve("README.md"), "# not a lake\n");
    for (String command : List.of("report", "rollup", "compact")) {
      Run r = run(command, "--lake", readme.toString());
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err()).as(command).contains(readme + " is a file, not a Flowcost lake");
    }
  }

  @Test
  void theDataDirIsRefusedNamingItsLake() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("flowcost-data").resolve("wal"))
        .getParent();
    Files.writeString(data.resolve(CollectorStatus.LAKE_ID), "./flowcost-lake\n");
    for (String command : List.of("report", "rollup", "compact")) {
      Run r = run(command, "--lake", data.toString());
      assertThat(r.code()).as(command).isEqualTo(2);
      assertThat(r.err()).as(command)
          .contains(data + " is a collector's data dir")
          .contains("its lake is ./flowcost-lake: pass --lake ./flowcost-lake");
    }
  }

  @Test
  void anEmptyOrForeignDirectoryIsRefused() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "x");
    for (String command : List.of("report", "rollup", "compact")) {
      Run e = run(command, "--lake", empty.toString());
      assertThat(e.code()).as(command).isEqualTo(2);
      assertThat(e.err()).as(command).contains("no Flowcost lake at " + empty + " yet")
          .contains("every --flush-interval");
      Run o = run(command, "--lake", other.toString());
      assertThat(o.code()).as(command).isEqualTo(2);
      assertThat(o.err()).as(command).contains(other + " is not a Flowcost lake");
    }
    assertThat(empty).isEmptyDirectory();
  }

  @Test
  void reportSaysWhenTheRunningCollectorWillFlush() throws IOException {
    Path lake = tmp.resolve("lake");
    Path data = Files.createDirectories(tmp.resolve("data").resolve("wal")).getParent();
    Files.writeString(data.resolve(CollectorStatus.LAKE_ID), lake + "\n");
    Files.write(data.resolve("wal").resolve("00000000000000000001.wal"), new byte[2048]);
    // this test's own process stands for the running collector; it "started" 45 s ago
    CollectorStatus.ofThisProcess(Instant.now().minusSeconds(45), Duration.ofSeconds(60),
        lake.toString()).write(data);

    Run r = run("report", "--lake", lake.toString(), "--data-dir", data.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("No rows in the lake at " + lake + " yet")
        .contains("holds 2 KiB of accepted rows in its write-ahead log")
        .contains("every 60s (--flush-interval; next flush in about")
        .contains("and when it stops (SIGTERM)");
    // 45 s after start with a 60 s interval: the next flush is about 15 s away
    String seconds = r.out().replaceAll("(?s).*next flush in about (\\d+) s.*", "$1");
    assertThat(Integer.parseInt(seconds)).isBetween(1, 16);
  }

  @Test
  void aLakeWithRowsStillWaitingInTheLogSaysSoBelowTheTable() throws IOException {
    Path lake = Files.createDirectories(tmp.resolve("lake").resolve("calls")).getParent();
    Path data = Files.createDirectories(tmp.resolve("data").resolve("wal")).getParent();
    Files.writeString(data.resolve(CollectorStatus.LAKE_ID), lake + "\n");
    Files.write(data.resolve("wal").resolve("00000000000000000007.wal"), new byte[512]);
    CollectorStatus.ofThisProcess(Instant.now(), Duration.ofSeconds(30), lake.toString())
        .write(data);

    Run r = run("report", "--lake", lake.toString(), "--data-dir", data.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("No rolled-up workflows in the lake at " + lake)
        .contains("Not in this table yet: the collector (pid " + ProcessHandle.current().pid())
        .contains("holds 512 bytes of accepted rows").contains("every 30s (--flush-interval");
  }

  @Test
  void aBacklogWithoutARunningCollectorSaysHowToFlushIt() throws IOException {
    Path lake = tmp.resolve("lake");
    Path data = Files.createDirectories(tmp.resolve("data").resolve("wal")).getParent();
    Files.writeString(data.resolve(CollectorStatus.LAKE_ID), lake + "\n");
    Files.write(data.resolve("wal").resolve("00000000000000000001.wal"), new byte[100]);

    Run r = run("report", "--lake", lake.toString(), "--data-dir", data.toString());

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("100 bytes of accepted rows wait in the write-ahead log of " + data)
        .contains("no collector runs with it: start one with --data-dir " + data);
  }

  @Test
  void aDataDirOfAnotherLakeDoesNotExcuseAMissingLake() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data").resolve("wal")).getParent();
    Files.writeString(data.resolve(CollectorStatus.LAKE_ID), tmp.resolve("real-lake") + "\n");
    Files.write(data.resolve("wal").resolve("00000000000000000001.wal"), new byte[100]);
    List<String> args = new ArrayList<>(List.of("report", "--lake", tmp.resolve("typo").toString(),
        "--data-dir", data.toString()));

    Run r = run(args.toArray(String[]::new));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("does not exist");
  }
}
