package io.flowcost.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code --waste-scenarios} in-process (no agent, no collector) against the fake. */
class WasteScenariosTest {

  @Test
  void everyScenarioEndsInSuccessAfterThrowingABilledAnswerAway(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path exchanges = dir.resolve("exchanges.json");
    int code = DemoApp.run(
        new String[] {"--waste-scenarios", "--exchanges", exchanges.toString(),
            "--collector", "http://127.0.0.1:9"}, // nobody listens: outcomes are not delivered
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(5).allMatch(l -> l.contains("outcome=success"));
    assertThat(lines.get(0)).contains("advise-payout").doesNotContain("OFF-POLICY");
    assertThat(lines.get(1)).contains("DamageGrade[severity=minor, amount=640]");
    assertThat(lines.get(2)).contains("retried DamageGrade[severity=minor, amount=640]");
    assertThat(lines.get(3)).contains("fallback [fake-reply");

    List<JsonNode> all = StreamSupport.stream(
        new ObjectMapper().readTree(exchanges.toFile()).spliterator(), false).toList();
    // 2 + 2 + 2 answers, the timed-out answer and its fallback, 429/500 each then 200
    assertThat(all).hasSize(12);
    assertThat(all).filteredOn(e -> e.path("http_status").asInt() >= 400)
        .extracting(e -> e.path("http_status").asInt()).containsExactly(429, 500);
    assertThat(all).filteredOn(e -> e.path("http_status").asInt() == 200)
        .allSatisfy(e -> assertThat(e.path("usage_sent").asBoolean()).isTrue());
  }
}
