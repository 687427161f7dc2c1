package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release archive runs the collector by name: {@code bin/flowcost-collector}. */
class DistributionTest {

  @TempDir Path tmp;

  @Test
  void theArchiveHoldsTheLauncherTheJarsAndTheDocs() throws Exception {
    Release release = Release.unpack(tmp);
    assertThat(Files.isExecutable(release.launcher())).isTrue();
    for (String f : new String[] {"lib/flowcost-collector.jar", "lib/flowcost-agent.jar",
        "lib/flowcost-outcome-api.jar", "README.md", "docs/concepts.md", "deploy/Dockerfile",
        "deploy/flowcost-collector.service", "deploy/README.md"}) {
      assertThat(release.home.resolve(f)).as(f).isRegularFile();
    }
  }

  @Test
  void theLauncherPrintsHelpAndServesUntilSigterm() throws Exception {
    Release release = Release.unpack(tmp);
    Path work = Files.createDirectories(tmp.resolve("work"));

    Release.Result help = release.collector(work, "--help");
    assertThat(help.exitCode()).as(help.stderr()).isZero();
    assertThat(help.stdout()).startsWith("Usage: flowcost-collector [-hV] [COMMAND]")
        .contains("report", "rollup", "compact");

    try (Release.Server server = release.serve(work, "--lake", "lake", "--data-dir", "data",
        "--flush-interval", "30s")) {
      assertThat(server.health()).isEqualTo(200);
      assertThat(server.log()).contains("listening on " + server.url())
          .contains("lake lake; data dir " + work.resolve("data"))
          .contains("rows reach the lake every 30s (--flush-interval) and at shutdown");

      int code = server.terminate();

      // the JVM's exit code after a SIGTERM it handled is 128 + 15
      assertThat(code).isEqualTo(143);
      assertThat(server.log())
          .contains("stopping: no new requests; flushing what is accepted to the lake and"
              + " rolling up, for at most 20s (--shutdown-grace)")
          .contains("stopped: everything accepted is in the lake");
    }
    // the launcher exec'd java: no status file is left behind by a clean stop
    assertThat(work.resolve("data/collector.status")).doesNotExist();
  }

  @Test
  void aMissingJavaHomeIsNamed() throws Exception {
    Release release = Release.unpack(tmp);
    ProcessBuilder pb = Release.clean(new ProcessBuilder(release.launcher().toString(), "--help"));
    pb.environment().put("JAVA_HOME", tmp.resolve("no-such-jdk").toString());
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(out).contains("JAVA_HOME is " + tmp.resolve("no-such-jdk"))
        .contains("set JAVA_HOME to a Java 17+ installation, or unset it");
  }
}
