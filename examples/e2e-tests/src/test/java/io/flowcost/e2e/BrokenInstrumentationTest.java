package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A deliberately broken instrumentation ({@code -Dflowcost.testing.break-instrumentation}) never
 * changes what the app does: same output and exit code as without the agent, one log line per
 * broken hook, the other hooks still recording.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokenInstrumentationTest {

  private static final String LOG_PREFIX = "[flowcost] internal error in ";
  private static final Pattern REPORT =
      Pattern.compile("\\[flowcost] testing: (\\d+) injected failures, (\\d+) internal errors counted");

  private Path work;
  private ChildJvm.Result plain;

  @BeforeAll
  void runWithoutTheAgent() throws Exception {
    work = Files.createTempDirectory("flowcost-broken");
    plain = ChildJvm.run(ChildJvm.java17(), List.of("-Dsun.net.httpserver.nodelay=true"),
        ChildJvm.demoJar(), List.of(), work, 180);
    assertThat(plain.exitCode()).as(plain.stderr()).isZero();
    assertThat(plain.stdout().lines()).hasSize(12);
  }

  @Test
  void everyHookBrokenTheAppStillGivesItsNormalResults() throws Exception {
    ChildJvm.Result run = runBroken("all", work.resolve("all"), work.resolve("all-exchanges.json"));

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    // one line per broken hook the demo passes through, nothing else, no stack traces
    assertThat(failureLines(run)).containsExactlyInAnyOrder("ai service enter", "chat enter",
        "streaming chat enter", "http enter", "tool enter", "embedding enter");
    assertThat(run.stderr()).doesNotContain("\tat ", "Exception:");
    long[] counts = report(run);
    assertThat(counts[0]).isPositive();
    assertThat(counts[1]).isEqualTo(counts[0]); // every injected failure was caught and counted
  }

  @Test
  void aBrokenToolHookLosesTheToolsButKeepsEveryModelCall() throws Exception {
    Path exchangesFile = work.resolve("tool-exchanges.json");
    ChildJvm.Result run = runBroken("tool", work.resolve("tool"), exchangesFile);
    Path lake = work.resolve("tool").resolve("lake");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo(plain.stdout());
    assertThat(failureLines(run)).containsExactly("tool enter");
    assertThat(report(run)).containsExactly(6, 6); // the demo's six tool executions

    List<String> expected = FakeExchanges.keys(FakeExchanges.read(exchangesFile));
    List<String> actual;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(duck, lake, 7);
      actual = FakeExchanges.lakeKeys(duck);
      try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*) FILTER (WHERE kind = 'tool'), (SELECT count(*) FROM workflows_latest)"
              + " FROM calls")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
        assertThat(rs.getLong(2)).isEqualTo(12);
      }
    }
    assertThat(expected).hasSize(20);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** Runs the demo with the given hooks broken against a collector writing to {@code dir/lake}. */
  private ChildJvm.Result runBroken(String kinds, Path dir, Path exchangesFile) throws Exception {
    Collector collector = Collector.start(AgentRun.collectorConfig(dir, "broken-" + kinds).build());
    try {
      return ChildJvm.run(ChildJvm.java17(), brokenArgs(collector.port(), kinds, dir),
          ChildJvm.demoJar(), List.of("--exchanges", exchangesFile.toString()), work, 180);
    } finally {
      collector.close();
    }
  }

  private static List<String> brokenArgs(int port, String kinds, Path dir) {
    List<String> args = new ArrayList<>(DemoEndToEndTest.agentArgs(port, dir.resolve("spool")));
    args.add("-Dflowcost.testing.break-instrumentation=" + kinds);
    return args;
  }

  /** The hook named by each "internal error in <hook>: ..." line. */
  private static List<String> failureLines(ChildJvm.Result run) {
    return run.stderr().lines()
        .filter(l -> l.startsWith(LOG_PREFIX))
        .peek(l -> assertThat(l).endsWith(
            ": io.flowcost.agent.BrokenInstrumentation$InjectedFailure (further errors here are not logged)"))
        .map(l -> l.substring(LOG_PREFIX.length(), l.indexOf(':', LOG_PREFIX.length())))
        .collect(Collectors.toList());
  }

  /** {injected, counted} from the agent's exit report. */
  private static long[] report(ChildJvm.Result run) {
    Matcher m = REPORT.matcher(run.stderr());
    assertThat(m.find()).as(run.stderr()).isTrue();
    long[] counts = {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    assertThat(m.find()).isFalse();
    return counts;
  }
}
