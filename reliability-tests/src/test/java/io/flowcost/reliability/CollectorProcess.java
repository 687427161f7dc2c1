package io.flowcost.reliability;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged collector ({@code collector/target/flowcost-collector.jar}) running as a child
 * process on 127.0.0.1, so that a test can {@code kill -9} it like a crashing host would.
 */
final class CollectorProcess implements AutoCloseable {

  private final List<String> command;
  private final Path logFile;
  private final java.util.Map<String, String> environment = new java.util.HashMap<>();
  private Process process;
  private javax.net.ssl.SSLContext tls;
  private int starts;

  private CollectorProcess(List<String> command, Path logFile) {
    this.command = command;
    this.logFile = logFile;
  }

  /** A collector on {@code port} with the given lake and data dir and extra serve options. */
  static CollectorProcess of(int port, Path lake, Path dataDir, Path logFile, String... extra) {
    return of(collectorJar(), port, lake, dataDir, logFile, extra);
  }

  /** A collector run from {@code jar} (benchmarks compare two builds). */
  static CollectorProcess of(Path jar, int port, Path lake, Path dataDir, Path logFile,
      String... extra) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar.toString(), "serve",
        "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--lake", lake.toString(), "--data-dir", dataDir.toString(),
        "--rollup-delay", "1h"));
    cmd.addAll(List.of(extra));
    return new CollectorProcess(cmd, logFile);
  }

  static Path repoRoot() {
    String root = System.getProperty("flowcost.repo.root");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    return p.toAbsolutePath().normalize();
  }

  static Path collectorJar() {
    Path jar = repoRoot().resolve("collector/target/flowcost-collector.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build with 'mvn -B verify' (package"
          + " runs before this module's tests) or 'mvn -B package -DskipTests -pl collector'");
    }
    return jar;
  }

  /** A port that was free a moment ago; kept across restarts of the same collector. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Puts the lake on S3-compatible storage at {@code endpoint}. */
  CollectorProcess withS3(String lake, String endpoint) {
    command.set(command.indexOf("--lake") + 1, lake);
    command.addAll(List.of("--s3-endpoint", endpoint));
    return this;
  }

  /** Sets a {@code serve} option, replacing its value when the command has it already. */
  CollectorProcess withOption(String name, String value) {
    int at = command.indexOf(name);
    if (at >= 0) {
      command.set(at + 1, value);
    } else {
      command.addAll(List.of(name, value));
    }
    return this;
  }

  /** Sets the child's maximum heap ({@code -Xmx}, e.g. {@code "256m"}; default 512m). */
  CollectorProcess withMaxHeap(String size) {
    command.replaceAll(arg -> arg.startsWith("-Xmx") ? "-Xmx" + size : arg);
    return this;
  }

  /** Adds JVM options before {@code -jar} (e.g. a JFR recording for a benchmark's profile). */
  CollectorProcess withJvmOptions(List<String> options) {
    command.addAll(command.indexOf("-jar"), options);
    return this;
  }

  /** Adds environment variables of the child process (e.g. S3 credentials). */
  CollectorProcess withEnvironment(java.util.Map<String, String> env) {
    environment.putAll(env);
    return this;
  }

  /** Starts a collector serving HTTPS and waits until {@code /health} answers over TLS. */
  CollectorProcess startTls(javax.net.ssl.SSLContext trust) throws Exception {
    this.tls = trust;
    return start();
  }

  /** Starts the process and waits until {@code /health} answers (at most 60 s). */
  CollectorProcess start() throws Exception {
    starts++;
    Files.createDirectories(logFile.getParent());
    Files.writeString(logFile, "---- start " + starts + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().putAll(environment);
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("collector exited with " + process.exitValue() + ":\n"
            + log());
      }
      if (healthy()) {
        return this;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("collector did not answer /health in 60 s:\n" + log());
  }

  private boolean healthy() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create((tls != null ? "https" : "http")
          + "://127.0.0.1:" + port() + "/health").toURL().openConnection();
      if (c instanceof javax.net.ssl.HttpsURLConnection https) {
        https.setSSLSocketFactory(tls.getSocketFactory());
      }
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code == 200 || code == 503;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return Integer.parseInt(command.get(command.indexOf("--port") + 1));
  }

  /** The operating-system id of the running (or last) collector process. */
  long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("collector did not die after SIGKILL");
    }
  }

  /** SIGTERM, and waits for the orderly shutdown (flush to the lake) to finish. */
  void stop() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("collector did not stop within 60 s after SIGTERM");
    }
  }

  /**
   * SIGTERM, and waits up to {@code bound} for the process to exit; returns how long it took
   * (milliseconds), or -1 after killing it with SIGKILL at {@code bound}. A measurement, for the
   * caller to print: tests do not assert on time.
   */
  long stopAndTime(java.time.Duration bound) throws InterruptedException {
    long t0 = System.nanoTime();
    process.destroy();
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      return -1;
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
