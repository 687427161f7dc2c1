package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.examples.fakeprovider.Exchange;
import io.flowcost.examples.fakeprovider.FakeProvider;
import io.flowcost.examples.fakeprovider.Protocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code max-tool-calls} on the Anthropic SDK's {@code BetaToolRunner}, under the shaded agent in
 * {@code flowcost.caps.mode=enforce} with {@code max-tool-calls=1}: the runner's second tool is not
 * run, the refusal leaves the runner's loop ({@code BetaToolRunner}'s iterator) into the app's
 * {@code main}, and the runner never sends the model the tool results of that turn. SDK 2.11.1
 * ({@code examples/sdk-app --tool-loops}, with outcome-api: {@code WorkflowCapExceededException})
 * and 3.16.0 ({@code examples/sdk3-app --tool-runner}, without it: a {@code RuntimeException}
 * naming the workflow, the cap and the spend). The fake asks for one tool per turn ({@code
 * get_weather}, then {@code get_forecast}, then answers in text: three answered model requests
 * uncapped, {@code SdkToolLoopsEndToEndTest}); capped, the runner stops at {@code get_forecast}: two
 * answered requests, the last asking for the tool that never ran.
 */
@Execution(ExecutionMode.CONCURRENT) // two apps sharing nothing: each its own fake and directory
class ToolRunnerCapsEndToEndTest {

  private static ChildJvm.Result run(Path jar, String flag, FakeProvider fake, Path work)
      throws Exception {
    return ChildJvm.run(ChildJvm.java17(), AgentRun.fastStart(List.of(
            "-javaagent:" + ChildJvm.agentJar(),
            "-Dflowcost.endpoint=http://127.0.0.1:9", // no collector: caps never wait on it
            "-Dflowcost.service=tool-runner-caps",
            "-Dflowcost.caps=max-tool-calls=1",
            "-Dflowcost.caps.mode=enforce",
            "-Dflowcost.spool.dir=" + work.resolve("spool"),
            "-Dflowcost.shutdown.timeout.ms=500")),
        jar, List.of("--provider-url", fake.baseUrl(), flag), work, 120);
  }

  /** The runner stopped after the model's second answer, which asked for the refused tool. */
  private static void theThirdTurnWasNeverSent(FakeProvider fake) {
    List<Exchange> answers = fake.exchanges().stream()
        .filter(e -> e.protocol() == Protocol.ANTHROPIC_MESSAGES && e.httpStatus() == 200).toList();
    assertThat(answers).extracting(Exchange::toolName)
        .as("tools the model asked for; a third request would carry get_forecast's result")
        .containsExactly("get_weather", "get_forecast");
  }

  /**
   * The agent's export thread may log its refused POST (no collector here) in the middle of the
   * JVM's "Exception in thread" line (CI saw it): its own lines are taken out before matching.
   */
  private static String withoutExportLines(String stderr) {
    return stderr.replaceAll("\\[flowcost\\] POST [^\\n]*\\n", "");
  }

  @Test
  void sdk3RunnerStopsAtTheToolPastTheCap(@TempDir Path work) throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      ChildJvm.Result r = run(Anthropic3EndToEndTest.sdk3AppJar(), "--tool-runner", fake, work);
      assertThat(r.exitCode()).as(r.stderr()).isNotZero();
      assertThat(withoutExportLines(r.stderr()))
          .contains("Exception in thread \"main\" java.lang.RuntimeException:"
              + " workflow \"anthropic:tool-runner claude-sonnet-4-5\"")
          .contains("stopped by cap max-tool-calls=1 calls: spent 1 calls")
          .contains("at com.anthropic.helpers.BetaToolRunner.runTool(");
      theThirdTurnWasNeverSent(fake);
    }
  }

  @Test
  void sdk2RunnerStopsAtTheToolPastTheCap(@TempDir Path work) throws Exception {
    try (FakeProvider fake = FakeProvider.start()) {
      ChildJvm.Result r = run(SdkEndToEndTest.sdkAppJar(), "--tool-loops", fake, work);
      assertThat(r.exitCode()).as(r.stderr()).isNotZero();
      assertThat(withoutExportLines(r.stderr())).contains("Exception in thread \"main\""
          + " io.flowcost.outcome.WorkflowCapExceededException:"
          + " workflow \"anthropic:tool-runner claude-sonnet-4-5\"")
          .contains("stopped by cap max-tool-calls=1 calls: spent 1 calls")
          .contains("at com.anthropic.helpers.BetaToolRunner.generateToolUseResult(");
      theThirdTurnWasNeverSent(fake);
    }
  }
}
