package io.flowcost.reliability;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A MinIO server on 127.0.0.1 that a test can stop and start again on the same port and data
 * directory (an object-store outage). The binary comes from {@code MINIO_BIN} or
 * {@code ~/go/bin/minio} ({@code scripts/minio.sh ensure} builds it).
 */
final class MinioProcess implements AutoCloseable {

  static final Map<String, String> CREDENTIALS = Map.of(
      "AWS_ACCESS_KEY_ID", "flowcost-test", "AWS_SECRET_ACCESS_KEY", "flowcost-test-secret",
      "AWS_REGION", "us-east-1");

  private final Path binary;
  private final Path dataDir;
  final int port;
  private Process process;

  MinioProcess(Path dataDir) throws IOException {
    this.binary = locate();
    this.dataDir = dataDir;
    this.port = CollectorProcess.freePort();
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  MinioProcess start() throws Exception {
    Files.createDirectories(dataDir);
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "server", "--quiet",
        "--address", "127.0.0.1:" + port,
        "--console-address", "127.0.0.1:" + CollectorProcess.freePort(),
        dataDir.resolve("data").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("minio.log").toFile()));
    pb.environment().put("MINIO_ROOT_USER", CREDENTIALS.get("AWS_ACCESS_KEY_ID"));
    pb.environment().put("MINIO_ROOT_PASSWORD", CREDENTIALS.get("AWS_SECRET_ACCESS_KEY"));
    pb.environment().put("MINIO_BROWSER", "off");
    pb.environment().put("MINIO_UPDATE", "off");
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("minio exited with " + process.exitValue());
      }
      if (live()) {
        return this;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("minio did not become live in 60 s");
  }

  /** Kills the server and its children: the object store is unreachable. */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(30, TimeUnit.SECONDS);
    process = null;
  }

  private boolean live() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/minio/health/live")
          .toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static Path locate() {
    String env = System.getenv("MINIO_BIN");
    Path p = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), "go", "bin", "minio");
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException("the MinIO server binary is missing (" + p
          + "): run scripts/minio.sh ensure");
    }
    return p;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
