package io.flowcost.collector.budget;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis (or Valkey) server on 127.0.0.1 and a free port, without persistence except an
 * explicit {@link #stopSaving()} (so a restart can bring the counters back). The binary comes
 * from {@code REDIS_BIN} or the PATH; when there is none the test fails saying how to install it
 * (scripts/redis.sh ensure), like the MinIO tests.
 */
final class RedisServer implements AutoCloseable {

  private final Path binary;
  private final Path dir;
  private final int port;
  private Process process;

  RedisServer(Path dir) throws IOException {
    this.binary = locate();
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
    Files.createDirectories(dir);
    start();
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() throws IOException {
    process = new ProcessBuilder(binary.toString(), "--bind", "127.0.0.1", "--port",
        Integer.toString(port), "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--protected-mode", "yes")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    throw new IOException("redis-server did not listen on 127.0.0.1:" + port + " within 15 s;"
        + " see " + dir.resolve("redis.log"));
  }

  /** Stops the server after saving its data (SHUTDOWN SAVE), so {@link #start()} restores it. */
  void stopSaving() throws Exception {
    Path cli = binary.resolveSibling(binary.getFileName().toString().startsWith("valkey")
        ? "valkey-cli" : "redis-cli");
    Process p = new ProcessBuilder(cli.toString(), "-h", "127.0.0.1", "-p",
        Integer.toString(port), "shutdown", "save").redirectErrorStream(true).start();
    p.waitFor(15, TimeUnit.SECONDS);
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      throw new IllegalStateException("redis-server did not stop");
    }
  }

  private static Path locate() {
    String env = System.getenv("REDIS_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new IllegalStateException("REDIS_BIN=" + env + " is not an executable file;"
          + " run scripts/redis.sh ensure");
    }
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      for (String name : List.of("redis-server", "valkey-server")) {
        Path p = Path.of(dirName, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException("no redis-server or valkey-server (looked at $REDIS_BIN and"
        + " the PATH): run scripts/redis.sh ensure (apt-get install redis-server)");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
