package io.flowcost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo app under the agent with the collector down: it runs normally and exits without
 * waiting for the collector, its spans and its outcome reports wait in the spool (no private text
 * in it), and the next run, with the collector up, delivers both runs' spans and outcomes exactly
 * once. A spool written while the endpoint was wrong reaches the collector of the corrected one.
 */
class AgentSpoolEndToEndTest {

  /** Model and embedding calls one demo run makes (the fake provider's 20 exchanges). */
  private static final int CALLS_PER_RUN = 20;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void spansOfARunWithTheCollectorDownArriveWithTheNextRun() throws Exception {
    Path spool = tmp.resolve("spool");
    Path lake = tmp.resolve("lake");
    int port = CollectorProcess.freePort();

    Run down = demo(port, "down", "-Dflowcost.spool.dir=" + spool);
    assertThat(down.exit()).as(down.stderr()).isZero();
    assertThat(down.stderr()).as("outcomes are spooled, not waited for")
        .contains("unreachable").contains("flowcost.spool.dir")
        .doesNotContain("some outcome reports were not delivered");
    assertThat(files(spool.resolve("outcomes"), ".report")).as("outcome reports spooled")
        .isNotEmpty();
    List<Path> spooled = files(spool, ".otlp");
    long spooledBytes = spooled.stream().mapToLong(p -> p.toFile().length()).sum();
    assertThat(spooled).as("spans of the first run wait in the spool").isNotEmpty();
    assertNoPrivateText(spool);

    long upMillis;
    java.time.Instant secondRun = java.time.Instant.now();
    try (CollectorProcess collector = CollectorProcess.of(port, lake, tmp.resolve("data"),
        tmp.resolve("collector.txt"), "--flush-interval", "1h").start()) {
      Run up = demo(port, "up", "-Dflowcost.spool.dir=" + spool);
      assertThat(up.exit()).as(up.stderr()).isZero();
      assertThat(up.stderr()).contains("replaying");
      assertThat(up.stdout()).isEqualTo(down.stdout());
      upMillis = up.millis();
      collector.stop();
    }
    assertThat(files(spool, ".otlp")).as("spool drained").isEmpty();
    assertThat(files(spool, ".report")).as("outcome spool drained").isEmpty();
    LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
    System.out.printf("agent spool end to end: run 1 with the collector down took %d ms and left"
            + " %d files (%d bytes) in the spool; run 2 with it up took %d ms and replayed them;"
            + " lake: %d call rows, %d distinct span ids%n", down.millis(), spooled.size(),
        spooledBytes, upMillis, calls.rows(), calls.distinct());
    long firstRun = LakeCounts.count(lake, "calls", "start_time < TIMESTAMP '"
        + java.sql.Timestamp.from(secondRun) + "'");
    System.out.printf("  rows from run 1 (delivered from the spool): %d; from run 2: %d%n",
        firstRun, calls.rows() - firstRun);
    assertThat(firstRun).as("run 1 delivered in full").isGreaterThanOrEqualTo(CALLS_PER_RUN)
        .isEqualTo(calls.rows() - firstRun);
    assertThat(calls.rows()).as("exactly once").isEqualTo(calls.distinct());

    LakeCounts.Counts outcomes = LakeCounts.of(lake, "outcomes", "outcome_id");
    long firstRunOutcomes = LakeCounts.count(lake, "outcomes", "reported_at < TIMESTAMP '"
        + java.sql.Timestamp.from(secondRun) + "'");
    System.out.printf("  outcomes from run 1 (delivered from the spool): %d; from run 2: %d;"
        + " %d distinct outcome ids%n", firstRunOutcomes, outcomes.rows() - firstRunOutcomes,
        outcomes.distinct());
    assertThat(firstRunOutcomes).as("run 1's outcomes delivered in full").isPositive()
        .isEqualTo(outcomes.rows() - firstRunOutcomes);
    assertThat(outcomes.rows()).as("outcomes exactly once").isEqualTo(outcomes.distinct());
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aSpoolWrittenForAWrongPortReachesTheCollectorOnTheCorrectedOne() throws Exception {
    // No flowcost.spool.dir: the default spool under java.io.tmpdir, private to this test.
    Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
    Path lake = tmp.resolve("lake");
    int wrongPort = CollectorProcess.freePort(); // nothing listens there
    int rightPort = CollectorProcess.freePort();

    Run wrong = demo(wrongPort, "wrong-port", "-Djava.io.tmpdir=" + jvmTmp);
    assertThat(wrong.exit()).as(wrong.stderr()).isZero();
    Path services = jvmTmp.resolve("flowcost-spool/services");
    assertThat(files(services, ".otlp")).as("spans spooled for port " + wrongPort).isNotEmpty();
    assertThat(files(services, ".report")).as("outcomes spooled").isNotEmpty();

    java.time.Instant secondRun = java.time.Instant.now();
    try (CollectorProcess collector = CollectorProcess.of(rightPort, lake, tmp.resolve("data"),
        tmp.resolve("collector-right.txt"), "--flush-interval", "1h").start()) {
      Run right = demo(rightPort, "right-port", "-Djava.io.tmpdir=" + jvmTmp);
      assertThat(right.exit()).as(right.stderr()).isZero();
      assertThat(right.stderr()).contains("replaying");
      collector.stop();
    }
    assertThat(files(services, ".otlp")).as("span spool drained").isEmpty();
    assertThat(files(services, ".report")).as("outcome spool drained").isEmpty();
    String before = "TIMESTAMP '" + java.sql.Timestamp.from(secondRun) + "'";
    long wrongCalls = LakeCounts.count(lake, "calls", "start_time < " + before);
    long wrongOutcomes = LakeCounts.count(lake, "outcomes", "reported_at < " + before);
    LakeCounts.Counts calls = LakeCounts.of(lake, "calls", "span_id");
    LakeCounts.Counts outcomes = LakeCounts.of(lake, "outcomes", "outcome_id");
    System.out.printf("spool for a wrong port: run 1 (port %d, nothing listening) took %d ms;"
            + " run 2 (port %d) delivered its %d call rows and %d outcomes; lake: %d calls (%d"
            + " distinct), %d outcomes (%d distinct)%n", wrongPort, wrong.millis(), rightPort,
        wrongCalls, wrongOutcomes, calls.rows(), calls.distinct(), outcomes.rows(),
        outcomes.distinct());
    assertThat(wrongCalls).as("run 1's calls, spooled for the wrong port")
        .isGreaterThanOrEqualTo(CALLS_PER_RUN).isEqualTo(calls.rows() - wrongCalls);
    assertThat(wrongOutcomes).isPositive().isEqualTo(outcomes.rows() - wrongOutcomes);
    assertThat(calls.rows()).isEqualTo(calls.distinct());
    assertThat(outcomes.rows()).isEqualTo(outcomes.distinct());
  }

  record Run(int exit, String stdout, String stderr, long millis) {}

  private Run demo(int port, String name, String spoolSetting) throws Exception {
    Path root = CollectorProcess.repoRoot();
    Path agent = root.resolve("tracer-agent/target/flowcost-agent.jar");
    Path demo = root.resolve("examples/demo-app/target/flowcost-demo.jar");
    Path out = tmp.resolve(name + ".out");
    Path err = tmp.resolve(name + ".err");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-javaagent:" + agent, "-Dflowcost.endpoint=http://127.0.0.1:" + port,
        "-Dflowcost.service=claims-desk", spoolSetting,
        "-Dflowcost.shutdown.timeout.ms=3000", "-jar", demo.toString())
        .directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("demo did not finish in 180 s");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1_000_000);
  }

  private static List<Path> files(Path dir, String suffix) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return new ArrayList<>(s.filter(p -> p.toString().endsWith(suffix)).toList());
    }
  }

  private static void assertNoPrivateText(Path dir) throws Exception {
    PrivacyTest.assertNoPrivateText(List.of(dir));
  }
}
