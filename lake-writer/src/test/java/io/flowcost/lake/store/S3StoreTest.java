package io.flowcost.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.testing.DuckDb;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link S3Store} against a real MinIO server. */
class S3StoreTest {

  @RegisterExtension static final MinioServer MINIO = new MinioServer();

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @TempDir Path tmp;
  private S3Store store;
  private String lake;

  @BeforeEach
  void setUp() throws IOException {
    // One bucket for the class, a fresh prefix per test so tests cannot see each other's files.
    lake = "s3://flowcost-test/lake-" + PREFIXES.incrementAndGet();
    store = MINIO.store(lake).build();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private Path file(String content) throws IOException {
    return Files.writeString(Files.createTempFile(tmp, "src", ".bin"), content);
  }

  @Test
  void publishesListsOpensDownloadsAndDeletes() throws Exception {
    store.publish("calls/date=2026-11-24/b.parquet", file("hello"));
    store.publish("calls/date=2026-11-24/a.parquet", file("a"));
    store.publish("calls/date=2026-11-25/c.parquet", file("c"));
    store.publish("outcomes/date=2026-11-24/d.parquet", file("d"));

    assertThat(store.list("")).containsExactly(
        "calls/date=2026-11-24/a.parquet",
        "calls/date=2026-11-24/b.parquet",
        "calls/date=2026-11-25/c.parquet",
        "outcomes/date=2026-11-24/d.parquet");
    assertThat(store.list("calls/date=2026-11-24/"))
        .containsExactly("calls/date=2026-11-24/a.parquet", "calls/date=2026-11-24/b.parquet");
    assertThat(store.list("calls/date=2026-11-2")).hasSize(3);
    assertThat(store.list("nothing/")).isEmpty();
    assertThat(store.listFiles("calls/date=2026-11-24/b"))
        .singleElement()
        .satisfies(f -> {
          assertThat(f.size()).isEqualTo(5);
          assertThat(f.tag()).isNotBlank().doesNotContain("\"");
        });

    try (InputStream in = store.open("calls/date=2026-11-24/b.parquet")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
    Path target = Files.writeString(tmp.resolve("existing"), "old content, longer");
    store.download("calls/date=2026-11-24/b.parquet", target);
    assertThat(target).hasContent("hello");

    assertThatThrownBy(() -> store.open("calls/date=2026-11-24/zzz.parquet"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store.download("calls/date=2026-11-24/zzz.parquet", target))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(target).hasContent("hello");

    store.delete("calls/date=2026-11-24/b.parquet");
    store.delete("calls/date=2026-11-24/b.parquet"); // deleting twice is fine
    assertThat(store.list("calls/")).containsExactly(
        "calls/date=2026-11-24/a.parquet", "calls/date=2026-11-25/c.parquet");

    assertThat(store.describe()).isEqualTo(lake + " @ " + MINIO.endpoint())
        .doesNotContain(MinioServer.SECRET_KEY);
    assertThat(store.toString()).doesNotContain(MinioServer.SECRET_KEY);
  }

  @Test
  void prefixesIsolateLakesInOneBucket() throws Exception {
    try (S3Store other = MINIO.store(lake + "-other").build()) {
      other.publish("calls/date=2026-11-24/x.parquet", file("x"));
      store.publish("calls/date=2026-11-24/y.parquet", file("y"));
      assertThat(other.list("")).containsExactly("calls/date=2026-11-24/x.parquet");
      assertThat(store.list("")).containsExactly("calls/date=2026-11-24/y.parquet");
    }
  }

  @Test
  void neverOverwritesAPublishedKey() throws Exception {
    store.publish("calls/date=2026-11-24/a.parquet", file("first"));
    assertThatThrownBy(() -> store.publish("calls/date=2026-11-24/a.parquet", file("second")))
        .isInstanceOf(FileAlreadyExistsException.class);
    try (InputStream in = store.open("calls/date=2026-11-24/a.parquet")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first");
    }
    assertThatThrownBy(() -> store.publish("_tmp/x", file("x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentPublishersOfOneKeyCannotOverwriteEachOther() throws Exception {
    String key = "calls/date=2026-11-24/raced.parquet";
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CyclicBarrier start = new CyclicBarrier(n);
    List<Future<String>> racers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Path content = file("writer-" + i);
        racers.add(pool.submit(() -> {
          start.await(); // all pass the existence check together: If-None-Match decides
          try {
            store.publish(key, content);
            return Files.readString(content);
          } catch (FileAlreadyExistsException e) {
            return null;
          }
        }));
      }
      List<String> winners = new ArrayList<>();
      for (Future<String> r : racers) {
        String won = r.get();
        if (won != null) {
          winners.add(won);
        }
      }
      assertThat(winners).hasSize(1);
      try (InputStream in = store.open(key)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo(winners.get(0));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void lakeWriterFilesReadBackWithDuckDb() throws Exception {
    LakeWriter writer = LakeWriter.builder(store, "s3test").scratchDirectory(tmp).build();
    LocalDate day = LocalDate.of(2026, 11, 24);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(Row.builder(LakeTables.OUTCOMES)
          .set("outcome_id", "o" + i)
          .set("status", i % 5 == 0 ? "failure" : "success")
          .set("value", new BigDecimal(i + ".25"))
          .set("reported_at", Instant.parse("2026-11-24T10:00:00Z").plusSeconds(i))
          .build());
    }
    String key = writer.write(LakeTables.OUTCOMES, day, rows);
    assertThat(store.list("outcomes/")).containsExactly(key);

    Path local = tmp.resolve("read/" + key);
    Files.createDirectories(local.getParent());
    store.download(key, local);
    try (DuckDb db = new DuckDb()) {
      String src = "read_parquet(" + DuckDb.literal(local) + ")";
      assertThat(db.scalar("SELECT count(*) FROM " + src)).isEqualTo(50L);
      assertThat(db.scalar("SELECT count(*) FROM " + src + " WHERE status = 'failure'"))
          .isEqualTo(10L);
      assertThat((BigDecimal) db.scalar("SELECT sum(value) FROM " + src))
          .isEqualByComparingTo(new BigDecimal(49 * 50 / 2 + 50 * 0.25 + ""));
      assertThat(db.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + DuckDb.literal(local)
          + ") WHERE decode(key) = 'flowcost.table'")).isEqualTo("outcomes");
    }
  }

  @Test
  void aLargeFileIsListedWholeOrNotAtAll() throws Exception {
    // 12 MiB: more than one 5 MiB part, so this is a multipart upload.
    long size = 12L << 20;
    Path big = tmp.resolve("big.bin");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(size);
    }
    String key = "calls/date=2026-11-24/big.parquet";
    CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
      try {
        store.publish(key, big);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    int listings = 0;
    while (!upload.isDone()) {
      for (StoredFile f : store.listFiles("calls/")) {
        assertThat(f.key()).isEqualTo(key);
        assertThat(f.size()).isEqualTo(size);
      }
      listings++;
    }
    upload.join();
    assertThat(listings).isPositive();
    assertThat(store.listFiles("calls/")).extracting(StoredFile::size).containsExactly(size);
  }

  @Test
  void aFailedUploadLeavesNoObject() throws Exception {
    for (long declared : new long[] {1L << 20, 12L << 20}) { // single PUT, then multipart
      String key = "calls/date=2026-11-24/failed-" + declared + ".parquet";
      InputStream failing = new FilterInputStream(new ByteArrayInputStream(new byte[64 << 10])) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n < 0) {
            throw new IOException("local disk went away");
          }
          return n;
        }
      };
      assertThatThrownBy(() -> store.upload(key, store.location().objectKey(key), failing,
          declared)).isInstanceOf(IOException.class);
      assertThat(store.list("")).as("after failing %s-byte upload", declared).isEmpty();
      assertThatThrownBy(() -> store.open(key)).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void wrongCredentialsAreExplained() {
    S3Store.Builder wrong = S3Store.builder(MINIO.endpoint(), LakeLocation.parse(lake))
        .credentials(MinioServer.ACCESS_KEY, "not-the-secret")
        .connectTimeout(Duration.ofSeconds(2));
    assertThatThrownBy(wrong::build)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(
            "S3 rejected the credentials: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
        .hasMessageContaining("SignatureDoesNotMatch")
        .hasMessageNotContaining("not-the-secret");

    S3Store.Builder unknown = S3Store.builder(MINIO.endpoint(), LakeLocation.parse(lake))
        .credentials("nobody", "whatever-secret");
    assertThatThrownBy(unknown::build)
        .hasMessageContaining("S3 rejected the credentials")
        .hasMessageContaining("InvalidAccessKeyId");

    assertThatThrownBy(() -> S3Store.builder(MINIO.endpoint(), LakeLocation.parse(lake))
        .fromEnvironment(Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS_ACCESS_KEY_ID");
  }

  @Test
  void anUnreachableEndpointIsExplainedQuickly() throws Exception {
    String closed = "http://127.0.0.1:" + MinioServer.freePort();
    long start = System.nanoTime();
    assertThatThrownBy(() -> S3Store.builder(closed, LakeLocation.parse(lake))
        .fromEnvironment(MINIO.environment())
        .connectTimeout(Duration.ofSeconds(1))
        .build())
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot reach S3 endpoint " + closed + ": ")
        .hasMessageContaining("is MinIO running?");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aMissingBucketIsCreatedOnlyWhenAllowed() throws Exception {
    String bucket = "flowcost-new-" + PREFIXES.incrementAndGet();
    assertThatThrownBy(() -> MINIO.store("s3://" + bucket + "/lake").createBucket(false).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("S3 bucket " + bucket + " does not exist")
        .hasMessageContaining("not allowed");
    try (S3Store created = MINIO.store("s3://" + bucket + "/lake").build()) {
      created.publish("calls/date=2026-11-24/a.parquet", file("a"));
      assertThat(created.list("")).hasSize(1);
    }
    // Now it exists, so no permission to create is needed.
    try (S3Store again = MINIO.store("s3://" + bucket + "/lake").createBucket(false).build()) {
      assertThat(again.list("")).hasSize(1);
    }
  }

  @Test
  void mirrorDownloadsOnlyWhatChanged() throws Exception {
    store.publish("calls/date=2026-11-24/a.parquet", file("aaa"));
    store.publish("calls/date=2026-11-24/b.parquet", file("bb"));
    store.publish("outcomes/date=2026-11-24/o.parquet", file("o"));
    Path root = tmp.resolve("mirror");

    LakeMirror mirror = new LakeMirror(store, root);
    LakeMirror.Result first = mirror.refresh(List.of("calls/"));
    assertThat(first.downloaded()).isEqualTo(2);
    assertThat(first.files()).isEqualTo(2);
    assertThat(root.resolve("calls/date=2026-11-24/a.parquet")).hasContent("aaa");
    assertThat(root.resolve("outcomes")).doesNotExist(); // not asked for

    assertThat(mirror.refresh(List.of("calls/")).downloaded()).isZero();

    // A compaction: a merged file appears, the old ones go.
    store.publish("calls/date=2026-11-24/merged.parquet", file("aaabb"));
    store.delete("calls/date=2026-11-24/a.parquet");
    store.delete("calls/date=2026-11-24/b.parquet");
    // A new process resumes from the manifest.
    LakeMirror.Result third = new LakeMirror(store, root).refresh(List.of("calls/", "outcomes/"));
    assertThat(third.downloaded()).isEqualTo(2); // merged + the outcome
    assertThat(third.removed()).isEqualTo(2);
    assertThat(root.resolve("calls/date=2026-11-24/a.parquet")).doesNotExist();
    assertThat(root.resolve("calls/date=2026-11-24/merged.parquet")).hasContent("aaabb");

    // A damaged local copy is fetched again.
    Files.writeString(root.resolve("calls/date=2026-11-24/merged.parquet"), "x");
    assertThat(mirror.refresh(List.of("calls/")).downloaded()).isEqualTo(1);
    assertThat(root.resolve("calls/date=2026-11-24/merged.parquet")).hasContent("aaabb");
  }
}
