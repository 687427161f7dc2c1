package io.flowcost.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The release archive ({@code distribution/target/flowcost-<version>.tar}) unpacked, and its
 * programs run the way a user runs them: by name, as processes, with an environment of the
 * test's choosing (no {@code FLOWCOST_*} or {@code OTEL_*} variables leak in from the build).
 */
final class Release {

  /** What a finished command printed and how it ended. */
  record Result(int exitCode, String stdout, String stderr) {}

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  final Path home;

  private Release(Path home) {
    this.home = home;
  }

  /** Unpacks the archive into {@code dir} with {@code tar}, as the README says. */
  static Release unpack(Path dir) throws IOException, InterruptedException {
    Path target = ChildJvm.repoRoot().resolve("distribution/target");
    Path archive;
    try (var files = Files.list(target)) {
      archive = files.filter(f -> f.getFileName().toString().matches("flowcost-.*\\.tar"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no flowcost-*.tar in "
              + target + ": build with 'mvn -B verify' (package runs before these tests)"));
    }
    Process tar = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", dir.toString())
        .inheritIO().start();
    if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
      throw new IllegalStateException("tar -xf " + archive + " failed");
    }
    String name = archive.getFileName().toString().replaceAll("\\.tar$", "");
    return new Release(dir.resolve(name));
  }

  Path launcher() {
    return home.resolve("bin/flowcost-collector");
  }

  Path agentJar() {
    return home.resolve("lib/flowcost-agent.jar");
  }

  /** A process environment with JAVA_HOME set to this JVM's and nothing of Flowcost's or OTel's. */
  static ProcessBuilder clean(ProcessBuilder pb) {
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("FLOWCOST_") || k.startsWith("OTEL_")
        || k.equals("JAVA_OPTS") || k.equals("JAVA_TOOL_OPTIONS"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return pb;
  }

  /** Runs {@code bin/flowcost-collector args…} in {@code dir} to completion. */
  Result collector(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher().toString());
    cmd.addAll(List.of(args));
    return run(cmd, dir, 120);
  }

  /** Starts {@code bin/flowcost-collector serve …}; {@link Server#port()} once it listens. */
  Server serve(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher().toString(), "serve", "--port", "0"));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(dir, "collector", ".err");
    Process p = clean(new ProcessBuilder(cmd)).directory(dir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(err, StandardCharsets.UTF_8));
      if (m.find()) {
        return new Server(p, Integer.parseInt(m.group(1)), err);
      }
      if (!p.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IllegalStateException("the collector did not start: "
        + Files.readString(err, StandardCharsets.UTF_8));
  }

  static Result run(List<String> cmd, Path dir, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "cmd", ".out");
    Path err = Files.createTempFile(dir, "cmd", ".err");
    Process p = clean(new ProcessBuilder(cmd)).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException(cmd + " did not finish in " + timeoutSeconds + " s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** A running collector. */
  record Server(Process process, int port, Path stderr) implements AutoCloseable {

    String url() {
      return "http://127.0.0.1:" + port;
    }

    int health() throws IOException, InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      return http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }

    /** Sends SIGTERM (what {@code Process.destroy} does on Linux) and waits for the exit. */
    int terminate() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the collector did not stop within 120 s of SIGTERM");
      }
      return process.exitValue();
    }

    String log() throws IOException {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
