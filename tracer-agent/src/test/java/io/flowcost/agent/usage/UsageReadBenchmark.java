package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What reading one response costs: bytes allocated and time per body, the scanner ({@link
 * UsageParser}) against the Jackson reader it replaced ({@link LegacyUsageParser}), interleaved in
 * one JVM, on the calling thread ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}). Not a test
 * (its name does not end in {@code Test}); run it with the command in {@code docs/benchmarks.md},
 * which prints a table and writes it to {@code target/usage-read-benchmark.txt}. Allocation is the
 * steady figure; times on a shared machine are indicative only.
 */
public class UsageReadBenchmark {

  private static final int WARMUP = 30_000;
  private static final int MEASURED = 100_000;

  private static final String OPENAI_TOOL_CALL =
      "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\","
          + "\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
          + "\"call_7u1AIPYdMnyWvlRaNsWcSXk4\",\"type\":\"function\",\"function\":{\"name\":"
          + "\"lookupPolicy\",\"arguments\":\"{\\\"policyId\\\":\\\"P-1234\\\"}\"}}],\"refusal\":null,"
          + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{"
          + "\"prompt_tokens\":182,\"completion_tokens\":21,\"total_tokens\":203,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
          + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
          + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\"}";

  private static final String OPENAI_ANSWER =
      "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
          + "\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"" + "The policy covers water damage "
          + "from burst pipes up to the limit stated in section 4, minus the deductible. ".repeat(6)
          + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":146,\"total_tokens\":1263,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}},"
          + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\"}";

  private static final String ANTHROPIC =
      "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":"
          + "\"I'll look up that policy.\"},{\"type\":\"tool_use\",\"id\":"
          + "\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"lookupPolicy\",\"input\":{\"policyId\":"
          + "\"P-1234\"}}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{"
          + "\"input_tokens\":472,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2048,"
          + "\"output_tokens\":89,\"service_tier\":\"standard\"}}";

  private static final String GEMINI =
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"The claim is covered.\"}],\"role\":"
          + "\"model\"},\"finishReason\":\"STOP\",\"avgLogprobs\":-0.05}],\"usageMetadata\":{"
          + "\"promptTokenCount\":812,\"candidatesTokenCount\":7,\"totalTokenCount\":860,"
          + "\"thoughtsTokenCount\":41,\"promptTokensDetails\":[{\"modality\":\"TEXT\","
          + "\"tokenCount\":812}]},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":"
          + "\"mKdOaJ2lG9nDz7IP0cPzqAE\"}";

  private static final String CHUNK =
      "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\","
          + "\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
          + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{"
          + "\"content\":\" policy\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";

  private record Row(String body, String reader, double bytes, double nanos) {}

  @Test
  void readsEachBodyWithBothReaders() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (String[] body : new String[][] {{"OpenAI chat, tool call", OPENAI_TOOL_CALL},
        {"OpenAI chat, 0.5 KB answer", OPENAI_ANSWER}, {"Anthropic, tool use", ANTHROPIC},
        {"Gemini", GEMINI}}) {
      byte[] bytes = body[1].getBytes(StandardCharsets.UTF_8);
      assertThat(UsageScannerDifferentialTest.describe(UsageParser.parse(bytes)))
          .isEqualTo(UsageScannerDifferentialTest.describe(LegacyUsageParser.parse(bytes)));
      for (int round = 0; round < 2; round++) {
        rows.add(measure(body[0], "Jackson reader (before)", () -> LegacyUsageParser.parse(bytes)));
        rows.add(measure(body[0], "UsageScanner (after)", () -> UsageParser.parse(bytes)));
      }
    }
    for (int round = 0; round < 2; round++) {
      rows.add(measure("stream event (OpenAI chunk)", "Jackson reader (before)", () -> {
        LegacyStreamUsageAccumulator stream = new LegacyStreamUsageAccumulator();
        for (int i = 0; i < 10; i++) {
          stream.onEvent(CHUNK);
        }
        return stream;
      }, 10));
      rows.add(measure("stream event (OpenAI chunk)", "UsageScanner (after)", () -> {
        StreamUsageAccumulator stream = new StreamUsageAccumulator();
        for (int i = 0; i < 10; i++) {
          stream.onEvent(CHUNK);
        }
        return stream;
      }, 10));
    }
    StringBuilder table = new StringBuilder(
        "| body | reader | bytes allocated per body | ns per body |\n|---|---|---|---|\n");
    // two interleaved rounds per body and reader: the second has both warmed
    for (Row row : rows) {
      table.append(String.format("| %s | %s | %,.0f | %,.0f |%n", row.body(), row.reader(),
          row.bytes(), row.nanos()));
    }
    System.out.print(table);
    Files.writeString(Path.of("target/usage-read-benchmark.txt"), table);
  }

  private static Row measure(String body, String reader, Supplier<Object> read) {
    return measure(body, reader, read, 1);
  }

  private static Row measure(String body, String reader, Supplier<Object> read, int perCall) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Object sink = null;
    for (int i = 0; i < WARMUP; i++) {
      sink = read.get();
    }
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    long start = System.nanoTime();
    for (int i = 0; i < MEASURED; i++) {
      sink = read.get();
    }
    long nanos = System.nanoTime() - start;
    long bytes = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(sink).isNotNull();
    double n = (double) MEASURED * perCall;
    return new Row(body, reader, bytes / n, nanos / n);
  }
}
