package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowcost.outcome.CollectorStub.Received;
import io.flowcost.outcome.CollectorStub.Reply;
import io.flowcost.outcome.internal.Delivery;
import io.flowcost.outcome.internal.Settings;
import io.flowcost.outcome.internal.Spool;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports the collector cannot take now wait on disk and reach it later, exactly once. */
class OutcomeSpoolTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String WORKFLOW_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void reportsMadeWhileTheCollectorIsDownAreSpooledAtOnceAndSentByTheNextProcess()
      throws Exception {
    int port = freePort(); // nothing listens
    Path root = tmp.resolve("spool");
    Reporter first = reporter(port, root);
    Flowcost.use(first);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(Flowcost.outcomeForKey("CLM-" + i).success().report());
    }
    // The collector is down, not busy: flush does not wait out retries (that is what made the
    // app exit seconds late) but returns once the reports are on disk.
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(reportFiles(root)).hasSize(3);
    assertThat(Files.readString(reportFiles(root).get(0), StandardCharsets.UTF_8))
        .startsWith("flowcost-report 1\npath /v1/outcomes\nkind outcome\n\n{");
    first.close(); // the process ends; its folder stays for the next one

    CollectorStub collector = stub(port);
    Flowcost.use(reporter(port, root)); // the next process, same spool directory
    List<Received> received = collector.await(3, Duration.ofSeconds(30));
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(received).extracting(Received::path).containsOnly("/v1/outcomes");
    assertThat(outcomeIds(received)).containsExactlyElementsOf(ids); // in order, once each
    assertThat(collector.received()).hasSize(3);
    assertThat(reportFiles(root)).isEmpty();
  }

  @Test
  void reportsOfAnAppKilledWithTheCollectorDownAreSentByTheNextProcess() throws Exception {
    int port = freePort();
    Path root = tmp.resolve("spool");
    Path out = tmp.resolve("child.txt");
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dflowcost.endpoint=http://127.0.0.1:" + port, "-Dflowcost.service=billing",
        "-Dflowcost.spool.dir=" + root, OutcomeCrashMain.class.getName(), "4")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(log).isEqualTo(137);
    assertThat(log).contains("flushed true").contains("unreachable")
        .contains("(flowcost.spool.dir)");
    List<String> ids = List.of(log.lines().filter(l -> l.startsWith("ids "))
        .findFirst().orElseThrow().substring(4).split(" "));
    assertThat(reportFiles(root)).hasSize(4);

    CollectorStub collector = stub(port);
    Flowcost.use(reporter(port, root));
    assertThat(outcomeIds(collector.await(4, Duration.ofSeconds(30))))
        .containsExactlyElementsOf(ids);
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(collector.received()).hasSize(4);
    assertThat(reportFiles(root)).isEmpty();
    System.out.println("outcome spool: 4 reports of a halted JVM (collector down) replayed in"
        + " order by the next process: " + collector.received().size() + " delivered");
  }

  @Test
  void theSameProcessSendsItsSpoolOnceTheCollectorIsBack() throws Exception {
    int port = freePort();
    Flowcost.use(reporter(port, tmp.resolve("spool")));
    String early = Flowcost.outcome(WORKFLOW_ID).success().report();
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    String later = Flowcost.outcome(WORKFLOW_ID).failure("wrong_answer").report();

    CollectorStub collector = stub(port);
    List<Received> received = collector.await(2, Duration.ofSeconds(60));
    assertThat(outcomeIds(received)).containsExactly(early, later);
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(collector.received()).hasSize(2);
    assertThat(reportFiles(tmp.resolve("spool"))).isEmpty();
  }

  @Test
  void aSpoolWrittenForAWrongEndpointGoesToTheCorrectedOne() throws Exception {
    int wrongPort = freePort();
    Path root = tmp.resolve("spool");
    Reporter wrong = reporter(wrongPort, root);
    Flowcost.use(wrong);
    String id = Flowcost.outcomeForKey("CLM-7").success().report();
    assertThat(Flowcost.flush(Duration.ofSeconds(30))).isTrue();
    wrong.close();

    CollectorStub right = stub(0);
    Flowcost.use(reporter(right.port(), root));
    assertThat(outcomeIds(right.await(1, Duration.ofSeconds(30)))).containsExactly(id);
  }

  @Test
  void atExitWhatTheBusyCollectorHasNotAnsweredIsSpooledNotLost() throws Exception {
    CollectorStub slow = stub(0).reply(new Reply(202, null, 3_000));
    Path root = tmp.resolve("spool");
    Reporter reporter = reporter(slow.port(), root);
    Flowcost.use(reporter);
    String inFlight = Flowcost.outcome(WORKFLOW_ID).success().report();
    slow.await(1, Duration.ofSeconds(10));
    String queued = Flowcost.outcome(WORKFLOW_ID).failure("late").report();

    assertThat(Flowcost.flush(Duration.ofMillis(200))).isFalse();
    assertThat(reporter.spoolPending()).as("lost").isZero();
    List<String> spooled = new ArrayList<>();
    for (Path f : reportFiles(root)) {
      String text = Files.readString(f, StandardCharsets.UTF_8);
      spooled.add(MAPPER.readTree(text.substring(text.indexOf("\n\n") + 2)).get("outcome_id").asText());
    }
    // the one being sent may also reach the collector: same outcome_id, stored once
    assertThat(spooled).containsExactlyInAnyOrder(inFlight, queued);
  }

  @Test
  void theSpoolIsBoundedOldestFirstAndKeepsRecordsOfOtherVersions() throws Exception {
    Path root = tmp.resolve("spool");
    Spool spool = Spool.open(root, 400);
    open.add(spool);
    int evicted = 0;
    for (int i = 0; i < 5; i++) {
      evicted += spool.append(new Spool.Document("/v1/outcomes",
          "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}", "outcome"));
    }
    assertThat(spool.size()).isEqualTo(2);
    assertThat(evicted).isEqualTo(3);
    assertThat(spool.dropped()).isEqualTo(3);
    Path folder = spool.directory();
    Files.writeString(folder.resolve("0000000000001-000000001.report"),
        "flowcost-report 2\npath /v1/outcomes\nkind outcome\n\n{}");
    spool.close();

    Spool next = Spool.open(root, 10_000);
    open.add(next);
    assertThat(next.adoptedFolders()).isEqualTo(1);
    assertThat(next.size()).as("the version-2 record is not read").isEqualTo(2);
    assertThat(reportFiles(root)).hasSize(3); // ...but kept for a release that can read it
  }

  private Reporter reporter(int port, Path root) throws IOException {
    Settings settings = new Settings("http://127.0.0.1:" + port, "billing", null, Map.of(), root,
        1 << 20, Duration.ofSeconds(3));
    Reporter r = new Reporter(settings, new Delivery(settings, 100, Duration.ofMillis(50), 4,
        Spool.open(settings.spoolDir(), settings.spoolMaxBytes())));
    open.add(r::close);
    return r;
  }

  private CollectorStub stub(int port) throws IOException {
    CollectorStub stub = new CollectorStub(port);
    open.add(stub);
    return stub;
  }

  private static List<String> outcomeIds(List<Received> received) throws IOException {
    List<String> ids = new ArrayList<>();
    for (Received r : received) {
      ids.add(MAPPER.readTree(r.body()).get("outcome_id").asText());
    }
    return ids;
  }

  private static List<Path> reportFiles(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".report")).sorted().toList();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
