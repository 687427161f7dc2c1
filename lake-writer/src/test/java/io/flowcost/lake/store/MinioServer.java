package io.flowcost.lake.store;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real MinIO server for one test class: {@code @RegisterExtension static final MinioServer
 * MINIO = new MinioServer();}.
 *
 * <p>Runs the binary from {@code MINIO_BIN}, {@code ~/go/bin/minio} or {@code $(go env
 * GOPATH)/bin/minio} on 127.0.0.1 on a free port with a fresh data directory, and stops it (with
 * any child process) after the class, also when tests failed. A missing binary fails the tests:
 * run {@code scripts/minio.sh ensure} to build it.
 */
public final class MinioServer implements BeforeAllCallback, AfterAllCallback {

  static final String ACCESS_KEY = "flowcost-test";
  static final String SECRET_KEY = "flowcost-test-secret";

  private Process process;
  private Path binary;
  private Path dataDir;
  private int port;
  private String endpoint;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    binary = locateBinary();
    dataDir = Files.createTempDirectory("flowcost-minio");
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        port = freePort();
        start();
        return;
      } catch (IOException e) { // the free port was taken meanwhile: try another
        last = e;
        stop();
      }
    }
    throw last;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      stop();
    } finally {
      deleteTree(dataDir);
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return endpoint;
  }

  /** The root credentials as the environment would carry them. */
  public Map<String, String> environment() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  /** A store builder for {@code s3://bucket/prefix} on this server with short timeouts. */
  public S3Store.Builder store(String lake) {
    return S3Store.builder(endpoint, LakeLocation.parse(lake))
        .fromEnvironment(environment())
        .connectTimeout(Duration.ofSeconds(2))
        .ioTimeout(Duration.ofSeconds(20));
  }

  /**
   * Starts the server again after {@link #stop()} on the same port and data directory, so that
   * clients find their objects where they left them (an outage that ends).
   */
  public void restart() throws IOException, InterruptedException {
    if (process != null) {
      throw new IllegalStateException("MinIO is running; stop() it first");
    }
    start();
  }

  /** Stops the server (and its children); idempotent. */
  public void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  private void start() throws IOException, InterruptedException {
    int consolePort = freePort();
    Path log = dataDir.resolve("minio.log");
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "server", "--quiet",
        "--address", "127.0.0.1:" + port, "--console-address", "127.0.0.1:" + consolePort,
        dataDir.resolve("data").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("MINIO_ROOT_USER", ACCESS_KEY);
    pb.environment().put("MINIO_ROOT_PASSWORD", SECRET_KEY);
    pb.environment().put("MINIO_BROWSER", "off");
    pb.environment().put("MINIO_UPDATE", "off");
    process = pb.start();
    endpoint = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("minio exited with " + process.exitValue() + ": " + tail(log));
      }
      if (isLive()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("minio did not become live within 60 s: " + tail(log));
  }

  private boolean isLive() {
    try {
      HttpURLConnection c = (HttpURLConnection)
          URI.create(endpoint + "/minio/health/live").toURL().openConnection();
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

  static Path locateBinary() {
    String env = System.getenv("MINIO_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new IllegalStateException("MINIO_BIN=" + env + " is not an executable file;"
          + " run scripts/minio.sh ensure");
    }
    Path home = Path.of(System.getProperty("user.home"), "go", "bin", "minio");
    if (Files.isExecutable(home)) {
      return home;
    }
    String gopath = goPath();
    if (gopath != null) {
      Path p = Path.of(gopath.split(java.io.File.pathSeparator)[0], "bin", "minio");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("the MinIO server binary is missing (looked at $MINIO_BIN, "
        + home + ", $(go env GOPATH)/bin/minio): run scripts/minio.sh ensure");
  }

  private static String goPath() {
    try {
      Process go = new ProcessBuilder("go", "env", "GOPATH").redirectErrorStream(true).start();
      String out = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return go.waitFor(10, TimeUnit.SECONDS) && go.exitValue() == 0 && !out.isEmpty() ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log);
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
