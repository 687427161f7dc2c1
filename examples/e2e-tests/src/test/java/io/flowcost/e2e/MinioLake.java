package io.flowcost.e2e;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.lake.store.LakeMirror;
import io.flowcost.lake.store.MinioServer;
import io.flowcost.lake.store.S3Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.StringJoiner;

/**
 * A lake on a {@link MinioServer} for the object-storage tests: an embedded collector writing
 * to it, OTLP/JSON requests with predictable ids, and DuckDB over a fresh mirror of the lake.
 */
final class MinioLake implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final MinioServer minio;
  private final String lake;
  private final Path tmp;
  private S3Store store;
  private int mirrors;

  MinioLake(MinioServer minio, String lake, Path tmp) {
    this.minio = minio;
    this.lake = lake;
    this.tmp = tmp;
  }

  /** A collector on this lake, flushing every {@code flush}, with its data dir under tmp. */
  Collector startCollector(Duration flush, long maxBufferedRows) throws Exception {
    if (store == null) {
      store = minio.store(lake).build();
    }
    return Collector.start(Collector.Config.builder()
        .port(0)
        .lake(store, lake, tmp.resolve("collector-mirror"))
        .dataDir(tmp.resolve("data"))
        .flushInterval(flush)
        .rollupDelay(Duration.ofMillis(200))
        .maxBodyBytes(16L * 1024 * 1024)
        .maxBufferedRows(maxBufferedRows)
        // read what a stop flushed and rolled up: not cut short by a loaded CI box (CollectorStopTest covers that)
        .shutdownGrace(Duration.ofMinutes(5))
        .instanceId("e2e")
        .build());
  }

  /** A fresh local mirror of the lake (a new directory each time, so nothing stale is read). */
  Path mirror() throws IOException {
    try (S3Store reader = minio.store(lake).build()) {
      Path root = Files.createDirectories(tmp.resolve("mirror-" + (++mirrors)));
      new LakeMirror(reader, root).refresh(LakeViews.mirroredPrefixes());
      return root;
    }
  }

  /** A DuckDB connection with lake.sql's views over {@code mirror}. */
  static Connection views(Path mirror) throws SQLException, IOException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    LakeViews.install(c, mirror, 7);
    return c;
  }

  /** A raw glob over one table's files, as a reader without the views would query it. */
  static String raw(Path mirror, String table) {
    return "read_parquet('" + mirror.resolve(table) + "/date=*/*.parquet')";
  }

  static long scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static HttpResponse<String> post(int port, String path, String json)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A 32-hex trace (workflow) id for workflow number {@code n}. */
  static String traceId(int n) {
    return String.format("%032x", 0x5eed_0000_0000L + n);
  }

  /**
   * One OTLP/JSON request: workflow {@code workflow}'s root span (when {@code withRoot}) and
   * {@code spans} chat spans with span ids {@code firstSpan…firstSpan+spans-1}, starting at
   * {@code start}; each chat span is 1000 input and 100 output tokens of gpt-4o-mini.
   */
  static String spans(int workflow, String name, boolean withRoot, long firstSpan, int spans,
      Instant start) {
    long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    String trace = traceId(workflow);
    String root = String.format("%016x", 0x7000_0000L + workflow);
    StringJoiner all = new StringJoiner(",");
    if (withRoot) {
      all.add("""
          {"traceId":"%s","spanId":"%s","name":"%s","kind":1,
           "startTimeUnixNano":"%d","endTimeUnixNano":"%d"}"""
          .formatted(trace, root, name, startNanos, startNanos + 5_000_000_000L));
    }
    for (int i = 0; i < spans; i++) {
      long t = startNanos + i * 1_000_000L;
      all.add("""
          {"traceId":"%s","spanId":"%016x","parentSpanId":"%s","name":"chat gpt-4o-mini",
           "kind":3,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[
            {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
            {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
            {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},
            {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
            {"key":"gen_ai.usage.output_tokens","value":{"intValue":"100"}}]}"""
          .formatted(trace, firstSpan + i, root, t, t + 500_000L));
    }
    return """
        {"resourceSpans":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"s3-e2e"}}]},
         "scopeSpans":[{"spans":[%s]}]}]}""".formatted(all);
  }

  /** An outcome of workflow {@code workflow}. */
  static String outcome(int workflow, String status, String outcomeId, Instant reportedAt) {
    return "{\"workflow_id\":\"" + traceId(workflow) + "\",\"status\":\"" + status
        + "\",\"outcome_id\":\"" + outcomeId + "\",\"reported_at\":\"" + reportedAt + "\"}";
  }

  @Override
  public void close() throws Exception {
    if (store != null) {
      store.close();
    }
  }
}
