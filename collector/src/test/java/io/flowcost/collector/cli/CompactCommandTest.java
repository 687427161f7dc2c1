package io.flowcost.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompactCommandTest {

  @TempDir Path tmp;

  private static Row outcome(String id, LocalDate day) {
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", id)
        .set("status", "success")
        .set("reported_at", day.atTime(8, 0).toInstant(ZoneOffset.UTC))
        .build();
  }

  @Test
  void compactsClosedDaysOfALocalLake() throws Exception {
    Path lake = tmp.resolve("lake");
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    LakeWriter writer = LakeWriter.builder(store, "c1").scratchDirectory(tmp).build();
    LocalDate closed = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (int i = 0; i < 3; i++) {
      writer.write(LakeTables.OUTCOMES, closed, List.of(outcome("o" + i, closed)));
      writer.write(LakeTables.OUTCOMES, today, List.of(outcome("t" + i, today)));
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new FlowcostCollector())
          .execute("compact", "--lake", lake.toString(), "--table", "outcomes");
    } finally {
      System.setOut(old);
    }

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("outcomes " + closed + ": 3 files -> 1 (3 rows)")
        .contains("compacted 1 partition(s)");
    assertThat(store.list("outcomes/date=" + closed + "/")).hasSize(1);
    assertThat(store.list("outcomes/date=" + today + "/")).hasSize(3);
  }

  @Test
  void dayAndBeforeAreExclusive() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new FlowcostCollector())
        .setErr(new PrintWriter(err))
        .execute("compact", "--lake", tmp.toString(), "--day", "2026-01-01",
            "--before", "2026-01-02");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }
}
