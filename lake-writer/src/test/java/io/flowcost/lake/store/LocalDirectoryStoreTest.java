package io.flowcost.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryStoreTest {

  @TempDir Path tmp;
  private Path root;
  private LocalDirectoryStore store;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("lake"); // does not exist yet: the store creates it
    store = new LocalDirectoryStore(root);
  }

  private Path source(String content) throws Exception {
    return Files.writeString(Files.createTempFile(tmp, "src", ".bin"), content);
  }

  private long stagedFiles() throws Exception {
    try (Stream<Path> s = Files.list(root.resolve(LocalDirectoryStore.STAGING_DIR))) {
      return s.count();
    }
  }

  @Test
  void publishesListsOpensAndDownloads() throws Exception {
    Path src = source("hello");
    store.publish("calls/date=2026-11-24/b.parquet", src);
    store.publish("calls/date=2026-11-24/a.parquet", source("a"));
    store.publish("calls/date=2026-11-25/c.parquet", source("c"));
    store.publish("outcomes/date=2026-11-24/d.parquet", source("d"));

    assertThat(src).exists(); // the caller's file is left in place
    assertThat(Files.readString(root.resolve("calls/date=2026-11-24/b.parquet"))).isEqualTo("hello");
    assertThat(store.list("")).containsExactly(
        "calls/date=2026-11-24/a.parquet",
        "calls/date=2026-11-24/b.parquet",
        "calls/date=2026-11-25/c.parquet",
        "outcomes/date=2026-11-24/d.parquet");
    assertThat(store.list("calls/date=2026-11-24/"))
        .containsExactly("calls/date=2026-11-24/a.parquet", "calls/date=2026-11-24/b.parquet");
    assertThat(store.list("calls/date=2026-11-2")).hasSize(3);
    assertThat(store.list("calls/date=2026-11-25/c")).containsExactly("calls/date=2026-11-25/c.parquet");
    assertThat(store.list("nothing/")).isEmpty();
    assertThat(store.list("_tmp/")).isEmpty();

    try (InputStream in = store.open("calls/date=2026-11-24/b.parquet")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
    Path copy = tmp.resolve("copy.bin");
    Files.writeString(copy, "old content, longer than the new one");
    store.download("calls/date=2026-11-24/b.parquet", copy);
    assertThat(Files.readString(copy)).isEqualTo("hello");
    assertThat(stagedFiles()).isZero();
    assertThat(store.describe()).startsWith("file:").contains("lake");
  }

  @Test
  void listingIgnoresStagedFiles() throws Exception {
    Files.writeString(root.resolve(LocalDirectoryStore.STAGING_DIR).resolve("x.tmp"), "partial");
    store.publish("t/date=2026-01-01/f.parquet", source("f"));

    assertThat(store.list("")).containsExactly("t/date=2026-01-01/f.parquet");
  }

  @Test
  void aFailedPublishLeavesNothingVisibleOrStaged() throws Exception {
    Path missing = tmp.resolve("missing.bin");
    assertThatThrownBy(() -> store.publish("t/date=2026-01-01/f.parquet", missing))
        .isInstanceOf(NoSuchFileException.class);

    // The destination directory's place is taken by a file, so the rename step fails.
    Files.createDirectories(root.resolve("u"));
    Files.writeString(root.resolve("u/date=2026-01-01"), "not a directory");
    assertThatThrownBy(() -> store.publish("u/date=2026-01-01/f.parquet", source("f")))
        .isInstanceOf(java.io.IOException.class);

    assertThat(store.list("t/")).isEmpty();
    assertThat(store.list("u/")).containsExactly("u/date=2026-01-01");
    assertThat(stagedFiles()).isZero();
  }

  @Test
  void publishedFilesAreNeverReplaced() throws Exception {
    store.publish("t/date=2026-01-01/f.parquet", source("first"));

    assertThatThrownBy(() -> store.publish("t/date=2026-01-01/f.parquet", source("second")))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(root.resolve("t/date=2026-01-01/f.parquet"))).isEqualTo("first");
  }

  @Test
  void rejectsKeysOutsideTheLake() throws Exception {
    Path src = source("x");
    for (String bad : new String[] {
        "", "/abs.parquet", "../escape.parquet", "a/../../escape.parquet", "a//b", "a/./b",
        "_tmp/x.parquet", "dir/", "a\\b"}) {
      assertThatThrownBy(() -> store.publish(bad, src)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> store.open("t/none.parquet")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store.download("t/none.parquet", tmp.resolve("d")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(tmp.resolve("escape.parquet")).doesNotExist();
  }

  @Test
  void listsSizesAndDeletes() throws Exception {
    store.publish("t/date=2026-01-01/a.parquet", source("abc"));
    store.publish("t/date=2026-01-01/b.parquet", source("de"));

    assertThat(store.listFiles("t/")).extracting(StoredFile::key, StoredFile::size)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("t/date=2026-01-01/a.parquet", 3L),
            org.assertj.core.groups.Tuple.tuple("t/date=2026-01-01/b.parquet", 2L));

    store.delete("t/date=2026-01-01/a.parquet");
    store.delete("t/date=2026-01-01/a.parquet"); // already gone: fine
    assertThat(store.list("t/")).containsExactly("t/date=2026-01-01/b.parquet");
    assertThatThrownBy(() -> store.delete("../b.parquet"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLakeCannotMirrorIntoItself() {
    assertThatThrownBy(() -> new LakeMirror(store, root))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
