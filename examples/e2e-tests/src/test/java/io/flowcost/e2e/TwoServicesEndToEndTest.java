package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.Collector;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs under the agent: app A opens workflow {@code delegate} (team=tools), calls the model
 * and then a tool service B over HTTP (recorded as an {@code http} call: {@code
 * flowcost.http.capture=all}); B answers with a model call of its own. The lake must show
 * one workflow holding both services' calls and A's tags, and the provider must have received a
 * {@code traceparent} but never baggage — although it, too, listens on the allowed 127.0.0.1.
 */
class TwoServicesEndToEndTest {

  @TempDir Path work;

  static List<String> agent(int collectorPort, String service, Path work) {
    return AgentRun.fastStart(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Dflowcost.endpoint=http://127.0.0.1:" + collectorPort,
        "-Dflowcost.service=" + service,
        "-Dflowcost.propagation.hosts=127.0.0.1",
        "-Dflowcost.spool.dir=" + work.resolve("spool-" + service),
        "-Dsun.net.httpserver.nodelay=true"));
  }

  @Test
  void aToolInAnotherJvmJoinsTheCallersWorkflowWithItsTags() throws Exception {
    Path lake = work.resolve("lake");
    Path portFile = work.resolve("tool.port");
    ChildJvm.Result caller;
    ChildJvm.Result tool;
    try (FakeProvider fake = FakeProvider.start();
        RecordingProxy proxy = new RecordingProxy(fake.baseUrl().replace("/v1", ""))) {
      String base = proxy.root() + "/v1";
      Collector collector = Collector.start(AgentRun.collectorConfig(work, "e2e-two").build());
      try {
        CompletableFuture<ChildJvm.Result> toolRun = ChildJvm.async(() -> ChildJvm.run(
            ChildJvm.java17(), agent(collector.port(), "tool-service", work),
            SdkEndToEndTest.sdkAppJar(),
            List.of("--provider-url", base, "--serve-tool", portFile.toString()), work, 120));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(portFile) && System.nanoTime() < deadline && !toolRun.isDone()) {
          Thread.sleep(50);
        }
        assertThat(portFile).as("the tool service started").exists();
        String toolUrl = "http://127.0.0.1:" + Files.readString(portFile).trim() + "/tool";
        List<String> callerJvm = new ArrayList<>(agent(collector.port(), "planner", work));
        callerJvm.add("-Dflowcost.http.capture=all"); // the request to the tool is an http call
        caller = ChildJvm.run(ChildJvm.java17(), callerJvm,
            SdkEndToEndTest.sdkAppJar(), List.of("--provider-url", base, "--call-tool", toolUrl),
            work, 120);
        tool = ChildJvm.await(toolRun, 120);
      } finally {
        collector.close();
      }
      assertThat(caller.exitCode()).as(caller.stderr()).isZero();
      assertThat(tool.exitCode()).as(tool.stderr()).isZero();
      assertThat(caller.stdout()).contains("tool=200 tokens=");
      assertThat(tool.stdout()).contains("served=true");

      // the provider: two model requests, each with one traceparent, none with baggage
      List<RecordingProxy.Seen> seen = proxy.seen();
      assertThat(seen).extracting(RecordingProxy.Seen::path)
          .containsExactly("/v1/chat/completions", "/v1/chat/completions");
      assertThat(seen).allSatisfy(s -> {
        assertThat(s.baggage()).isEmpty();
        assertThat(s.traceparent()).hasSize(1);
      });
      String workflowId = seen.get(0).traceparent().get(0).substring(3, 35);
      assertThat(seen.get(1).traceparent().get(0)).startsWith("00-" + workflowId + "-");

      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
        LakeViews.install(duck, lake, 7);
        List<String> workflows = new ArrayList<>();
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
            "SELECT workflow_id, workflow_name, service, team, calls, outcome FROM workflows_latest")) {
          while (rs.next()) {
            workflows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3) + "/"
                + rs.getString(4) + "/" + rs.getLong(5) + "/" + rs.getString(6));
          }
        }
        assertThat(workflows)
            .containsExactly(workflowId + "/delegate/planner/tools/3/success");
        List<String> calls = new ArrayList<>();
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(
            "SELECT workflow_id, service, kind, coalesce(request_model, http_host || http_path),"
                + " attempt, coalesce(input_tokens > 0, http_status = 200), cost_usd IS NOT NULL"
                + " FROM calls ORDER BY start_time")) {
          while (rs.next()) {
            calls.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3) + "/"
                + rs.getString(4) + "/" + rs.getInt(5) + "/" + rs.getBoolean(6) + "/"
                + rs.getBoolean(7));
          }
        }
        assertThat(calls).containsExactly(
            workflowId + "/planner/model/gpt-4.1/1/true/true",
            workflowId + "/planner/http/127.0.0.1/tool/1/true/true",
            workflowId + "/tool-service/model/gpt-4o-mini/1/true/true");
      }
    }
  }
}
