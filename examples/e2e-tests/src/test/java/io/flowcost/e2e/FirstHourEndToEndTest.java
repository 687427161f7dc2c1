package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first hour, as the README tells it, with the real programs from the release
 * archive run as processes: the collector by name, the demo under the agent, {@code report}
 * before and after the first flush, and the usual mistakes — a wrong endpoint, no collector, no
 * service name, a wrong {@code --lake} — each answered by a message that names the problem and
 * the fix.
 */
class FirstHourEndToEndTest {

  @TempDir Path tmp;

  @Test
  void theReadmeWalkthroughExplainsEveryStepAndEveryMistake() throws Exception {
    Release release = Release.unpack(tmp);
    Path work = Files.createDirectories(tmp.resolve("work"));

    try (Release.Server collector = release.serve(work, "--flush-interval", "60s")) {
      String log = collector.log();
      assertThat(log).contains("listening on " + collector.url())
          .contains("lake ./flowcost-lake; data dir " + work.resolve("flowcost-data"))
          .contains("every 60s (--flush-interval)");

      // 1. a wrong endpoint: the full traces URL instead of the collector's base URL
      Release.Result wrong = underAgent(release, work, List.of(
          "-Dflowcost.endpoint=" + collector.url() + "/v1/traces",
          "-Dflowcost.service=claims-bot"));
      assertThat(wrong.stderr())
          .contains("[flowcost] agent ")
          .contains("attached: service claims-bot, spans to " + collector.url()
              + "/v1/traces/v1/traces; hooks: LangChain4j")
          .contains("flowcost.endpoint (FLOWCOST_ENDPOINT) is " + collector.url() + "/v1/traces")
          .contains("set it to the collector's base URL, without /v1/traces")
          .contains("POST " + collector.url() + "/v1/traces/v1/traces returned 404: is"
              + " FLOWCOST_ENDPOINT (flowcost.endpoint) the collector's base URL (without"
              + " /v1/traces)?")
          .doesNotContain("no service name is set");

      // 2. the README's command: the demo under the agent, service named
      Release.Result demo = Release.run(demoCommand(release, work, collector.url()), work, 240);
      assertThat(demo.exitCode()).as(demo.stderr()).isZero();
      assertThat(demo.stderr()).contains("attached: service claims-bot, spans to "
          + collector.url() + "/v1/traces").doesNotContain("returned 404");

      // 3. report before the first flush says so, and when the flush comes
      Release.Result early = release.collector(work, "report");
      assertThat(early.exitCode()).as(early.stderr()).isZero();
      assertThat(early.stdout())
          .contains("No rows in the lake at " + work.resolve("flowcost-lake") + " yet")
          .contains("of accepted rows in its write-ahead log")
          .containsPattern("every 60s \\(--flush-interval; next flush in about \\d+ s\\)")
          .contains("and when it stops (SIGTERM)");

      // 4. a wrong --lake: a typo, the data dir, a file; rollup does not create the typo
      Release.Result typo = release.collector(work, "report", "--lake", "./flowcost-lak");
      assertThat(typo.exitCode()).isEqualTo(2);
      assertThat(typo.stderr()).contains("no Flowcost lake at " + work.resolve("flowcost-lak")
          + ": the directory does not exist").contains("--lake (default ./flowcost-lake)");
      Release.Result rollupTypo = release.collector(work, "rollup", "--lake", "./flowcost-lak");
      assertThat(rollupTypo.exitCode()).isEqualTo(2);
      assertThat(work.resolve("flowcost-lak")).doesNotExist();
      Release.Result dataDir = release.collector(work, "report", "--lake", "./flowcost-data");
      assertThat(dataDir.exitCode()).isEqualTo(2);
      assertThat(dataDir.stderr()).contains("is a collector's data dir")
          .contains("pass --lake ./flowcost-lake");
      Path readme = Files.writeString(work.resolve("README.md"), "# notes\n");
      Release.Result file = release.collector(work, "compact", "--lake", readme.toString());
      assertThat(file.exitCode()).isEqualTo(2);
      assertThat(file.stderr()).contains(readme + " is a file, not a Flowcost lake");

      // 5. SIGTERM: the collector flushes, names what it published, rolls up and says it stopped
      collector.terminate();
      String shutdown = collector.log();
      assertThat(shutdown).contains("stopping: no new requests")
          .containsPattern("published calls: \\d+ rows? in \\d+ files?")
          .containsPattern("rollup v\\d+: \\d+ workflows on 1 day\\(s\\)")
          .contains("stopped: everything accepted is in the lake");
    }

    // 6. now the report has the demo's workflows, with their service
    Release.Result report = release.collector(work, "report");
    assertThat(report.exitCode()).as(report.stderr()).isZero();
    assertThat(report.stdout()).contains("intent", "service", "cache_net", "unpriced")
        .contains("claims-bot").contains("TOTAL").doesNotContain("No rows");
  }

  @Test
  void noCollectorAndNoServiceNameAreNamedOnce() throws Exception {
    Release release = Release.unpack(tmp);
    Path work = Files.createDirectories(tmp.resolve("work"));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }

    Release.Result r = underAgent(release, work,
        List.of("-Dflowcost.endpoint=http://127.0.0.1:" + closed));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains("attached: service unknown_service:java, spans to http://127.0.0.1:" + closed
            + "/v1/traces")
        .contains("no service name is set")
        .contains("set -Dflowcost.service=NAME (or FLOWCOST_SERVICE, or OTEL_SERVICE_NAME)")
        .contains("POST http://127.0.0.1:" + closed + "/v1/traces failed"
            + " (java.net.ConnectException): is the collector running there, and is"
            + " FLOWCOST_ENDPOINT (flowcost.endpoint) its base URL?");
    assertThat(count(r.stderr(), "no service name is set")).isEqualTo(1);
    assertThat(count(r.stderr(), "failed (java.net.ConnectException)")).isEqualTo(1);
  }

  /** Runs {@link AgentHelloMain} under the archive's agent with {@code flags}. */
  private static Release.Result underAgent(Release release, Path work, List<String> flags)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ChildJvm.java17().toString(),
        "-javaagent:" + release.agentJar(),
        "-Dflowcost.spool.dir=" + Files.createTempDirectory(work, "spool"),
        "-Dflowcost.shutdown.timeout.ms=3000"));
    cmd.addAll(flags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        AgentHelloMain.class.getName()));
    return Release.run(cmd, work, 120);
  }

  private static List<String> demoCommand(Release release, Path work, String endpoint)
      throws Exception {
    return List.of(ChildJvm.java17().toString(),
        "-javaagent:" + release.agentJar(),
        "-Dflowcost.service=claims-bot",
        "-Dflowcost.endpoint=" + endpoint,
        "-Dflowcost.spool.dir=" + Files.createTempDirectory(work, "spool"),
        "-jar", ChildJvm.demoJar().toString());
  }

  private static int count(String text, String phrase) {
    int n = 0;
    for (int i = text.indexOf(phrase); i >= 0; i = text.indexOf(phrase, i + 1)) {
      n++;
    }
    return n;
  }
}
