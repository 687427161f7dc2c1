package io.flowcost.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the demo in-process (no agent) against its in-process fake provider. */
class DemoAppTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static HttpServer collector;
  static final List<JsonNode> outcomes = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startCollectorStub() throws Exception {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestURI().getPath().equals("/v1/outcomes")) {
        outcomes.add(JSON.readTree(body));
      }
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    collector.start();
  }

  @AfterAll
  static void stopCollectorStub() {
    collector.stop(0);
  }

  static List<String> run(Path exchanges) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = DemoApp.run(
        new String[] {
          "--exchanges", exchanges.toString(),
          "--collector", "http://127.0.0.1:" + collector.getAddress().getPort()
        },
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void runsEveryWorkflowDeterministically(@TempDir Path dir) throws Exception {
    outcomes.clear();
    List<String> lines = run(dir.resolve("first.json"));

    assertThat(lines).hasSize(12);
    assertThat(lines).allMatch(l -> l.matches("\\d\\d \\S+ key=\\S+ team=\\S+ outcome=\\S+ result=.+"));
    assertThat(lines).extracting(l -> l.split(" ")[2].substring("key=".length()))
        .containsExactlyElementsOf(ClaimWorkflows.keys());
    assertThat(lines).extracting(l -> l.split(" ")[4])
        .containsExactly("outcome=success", "outcome=success(by-key)", "outcome=success",
            "outcome=failure(wrong_answer)", "outcome=success", "outcome=success",
            "outcome=failure(false_positive)", "outcome=success",
            "outcome=failure(provider_error)", "outcome=unknown", "outcome=unknown",
            "outcome=unknown");
    assertThat(lines.get(8)).endsWith("result=error=InternalServerException");
    assertThat(lines.get(7)).contains("result=desk=");
    assertThat(lines.get(2)).endsWith("after 2 tool calls.");
    assertThat(lines.get(10)).startsWith("11 DamageAssessor.assess key=- team=-");

    // Same script, fresh fake: the same lines.
    assertThat(run(dir.resolve("second.json"))).isEqualTo(lines);

    // Outcomes reported through outcome-api: 6 successes, 3 failures per run, one by key.
    List<JsonNode> firstRun = List.copyOf(outcomes).subList(0, 9);
    Map<String, Long> byStatus = firstRun.stream()
        .collect(Collectors.groupingBy(o -> o.path("status").asText(), Collectors.counting()));
    assertThat(byStatus).containsEntry("success", 6L).containsEntry("failure", 3L);
    assertThat(firstRun).filteredOn(o -> o.has("external_key"))
        .singleElement()
        .satisfies(o -> assertThat(o.path("external_key").asText()).isEqualTo("CLM-1002"));
    assertThat(firstRun).extracting(o -> o.path("reason").asText())
        .contains("wrong_answer", "false_positive", "provider_error");
    assertThat(outcomes).hasSize(18);
  }

  @Test
  void exchangeLogShowsRetriesCachesAndStreams(@TempDir Path dir) throws Exception {
    run(dir.resolve("exchanges.json"));
    JsonNode log = JSON.readTree(dir.resolve("exchanges.json").toFile());
    List<JsonNode> all = StreamSupport.stream(log.spliterator(), false).toList();

    assertThat(all).hasSize(20);
    assertThat(all).extracting(e -> e.path("protocol").asText()).containsOnly(
        "openai.chat", "openai.embeddings", "anthropic.messages");
    assertThat(all).extracting(e -> e.path("model").asText()).containsOnly(
        "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5", "text-embedding-3-small");

    // The 429 on the first attempt, then the same body succeeds.
    JsonNode rateLimited = all.stream().filter(e -> e.path("http_status").asInt() == 429)
        .reduce((a, b) -> { throw new AssertionError("more than one 429"); }).orElseThrow();
    List<JsonNode> sameBody = all.stream()
        .filter(e -> e.path("request_hash").equals(rateLimited.path("request_hash"))).toList();
    assertThat(sameBody).extracting(e -> e.path("http_status").asInt()).containsExactly(429, 200);
    assertThat(sameBody).extracting(e -> e.path("attempt").asInt()).containsExactly(1, 2);

    // fail-always: the original attempt and LangChain4j's one retry, no usage.
    assertThat(all).filteredOn(e -> e.path("http_status").asInt() == 500).hasSize(2)
        .allSatisfy(e -> assertThat(e.path("usage_sent").asBoolean()).isFalse());

    // Caches: OpenAI cached prefix, Anthropic 5-minute and 1-hour writes and reads.
    assertThat(all).anySatisfy(e -> assertThat(
        e.path("usage").path("prompt_tokens_details.cached_tokens").asLong()).isPositive());
    assertThat(all).anySatisfy(e -> assertThat(
        e.path("usage").path("cache_creation.ephemeral_1h_input_tokens").asLong()).isPositive());
    assertThat(all).anySatisfy(e -> assertThat(
        e.path("usage").path("cache_creation.ephemeral_5m_input_tokens").asLong()).isPositive());
    assertThat(all).anySatisfy(e -> assertThat(
        e.path("usage").path("cache_read_input_tokens").asLong()).isPositive());

    // Streams on both chat protocols, tool calls to both tools.
    assertThat(all).filteredOn(e -> e.path("streaming").asBoolean())
        .extracting(e -> e.path("protocol").asText())
        .contains("openai.chat", "anthropic.messages");
    assertThat(all).filteredOn(e -> e.path("reply_kind").asText().equals("tool_call"))
        .extracting(e -> e.path("tool_name").asText())
        .contains("lookupPolicy", "estimateRepair");
    assertThat(all).filteredOn(e -> e.path("reply_kind").asText().equals("embedding")).hasSize(1);
  }
}
