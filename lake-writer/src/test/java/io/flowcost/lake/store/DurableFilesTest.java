package io.flowcost.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

  @TempDir Path dir;

  @Test
  void createsThenReplacesWholeAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("state.bin");
    DurableFiles.replace(f, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(f)).isEqualTo("first");

    DurableFiles.replace(f, out -> out.write("second, longer".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(f)).isEqualTo("second, longer");
    assertThat(names()).containsExactly("state.bin");
  }

  @Test
  void aFailedWriteLeavesTheOldFileAsItWasAndNoTemporaryFile() throws IOException {
    Path f = dir.resolve("state.bin");
    DurableFiles.replace(f, out -> out.write("kept".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> DurableFiles.replace(f, out -> {
      out.write("half of the new".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    })).isInstanceOf(IOException.class).hasMessage("disk full");

    assertThat(Files.readString(f)).isEqualTo("kept");
    assertThat(names()).containsExactly("state.bin");
  }

  @Test
  void aTemporaryFileLeftByACrashIsOverwrittenNotAppendedTo() throws IOException {
    Path f = dir.resolve("state.bin");
    Files.writeString(dir.resolve("state.bin.tmp"), "a long partial write cut by a crash");

    DurableFiles.replace(f, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));

    assertThat(Files.readString(f)).isEqualTo("new");
    assertThat(names()).containsExactly("state.bin");
  }

  @Test
  void aFileTheCheckRefusesNeverReplacesTheTarget() throws IOException {
    Path f = dir.resolve("catalog.json");
    DurableFiles.replace(f, out -> out.write("{}".getBytes(StandardCharsets.UTF_8)));
    Path[] checked = new Path[1];

    assertThatThrownBy(() -> DurableFiles.replace(f,
        out -> out.write("{ not json".getBytes(StandardCharsets.UTF_8)),
        written -> {
          checked[0] = written;
          assertThat(Files.readString(written)).isEqualTo("{ not json"); // on disk when checked
          throw new IllegalStateException("does not read back");
        })).isInstanceOf(IllegalStateException.class).hasMessage("does not read back");

    assertThat(checked[0]).isNotEqualTo(f);
    assertThat(Files.readString(f)).isEqualTo("{}");
    assertThat(names()).containsExactly("catalog.json");

    DurableFiles.replace(f, out -> out.write("[]".getBytes(StandardCharsets.UTF_8)),
        written -> assertThat(Files.readString(written)).isEqualTo("[]"));
    assertThat(Files.readString(f)).isEqualTo("[]");
    assertThat(names()).containsExactly("catalog.json");
  }

  private java.util.List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
