package io.flowcost.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a jar or a main class in a child JVM, capturing its output, bounded in time. */
final class ChildJvm {

  /** What the child printed and how it ended. */
  record Result(int exitCode, String stdout, String stderr, long millis) {}

  private ChildJvm() {}

  static Path repoRoot() {
    String root = System.getProperty("flowcost.repo.root");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent().getParent();
    return p.toAbsolutePath().normalize();
  }

  static Path agentJar() {
    return require(repoRoot().resolve("tracer-agent/target/flowcost-agent.jar"));
  }

  static Path demoJar() {
    return require(repoRoot().resolve("examples/demo-app/target/flowcost-demo.jar"));
  }

  /** The compatibility app, built against the oldest supported LangChain4j line. */
  static Path compatJar() {
    return require(repoRoot().resolve("examples/compat-app/target/flowcost-compat-lc4j.jar"));
  }

  static Path java17() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** The Temurin 25 JDK installed beside the default one, or {@code null}. */
  static Path java25() {
    Path p = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    return Files.isExecutable(p) ? p : null;
  }

  private static Path require(Path p) {
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p + " is missing: build with 'mvn -B verify' (package runs"
          + " before the end-to-end tests)");
    }
    return p;
  }

  static Result run(Path java, List<String> jvmArgs, Path jar, List<String> args, Path workDir,
      long timeoutSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    return run(cmd, workDir, timeoutSeconds);
  }

  /** Runs a main class of this module's test class path (its LangChain4j, fake provider, …). */
  static Result runMain(Path java, List<String> jvmArgs, Class<?> mainClass, List<String> args,
      Path workDir, long timeoutSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    return run(cmd, workDir, timeoutSeconds);
  }

  /**
   * Starts {@code task} (a launch, {@code () -> ChildJvm.run(..)}, and what follows it) on
   * another thread, so that child JVMs run at once: the app with and without the agent, or
   * several apps reporting to one collector. {@link #await} its result.
   */
  static <T> CompletableFuture<T> async(Callable<T> task) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return task.call();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
  }

  /**
   * The result of an {@link #async} task, waiting at most {@code timeoutSeconds} (a child JVM is
   * bounded by its own time-out too); what the task threw (an assertion error included) is thrown
   * as it was.
   */
  static <T> T await(CompletableFuture<T> task, long timeoutSeconds) throws Exception {
    try {
      return task.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
          ? c.getCause() : e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private static Result run(List<String> cmd, Path workDir, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("child JVM did not finish in " + timeoutSeconds + " s: "
          + cmd + "\n" + Files.readString(err, StandardCharsets.UTF_8));
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), millis);
  }
}
