package io.flowcost.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The usage read of one whole response, an earlier build against this one, in one JVM with their
 * rounds interleaved (the order alternating): {@code UsageParser.parseWithoutToolCalls}, what
 * LangChain4j's HTTP hook calls on every answer, loaded from {@code -Dbench.before} (an earlier
 * agent jar, e.g. {@code /work/start/flowcost-agent.jar}, or a classes directory) and from this
 * module's {@code target/classes}, each in a class loader of its own. The calling thread's CPU
 * time per body, median of the rounds after the first quarter (warm-up). Bodies: the side-by-side
 * benchmark's fake provider's answer (0.6 KB) and OpenAI answers of 1.2 and 4.8 KB. Not a test
 * (its name does not end in {@code Test}); run it with the command in {@code docs/benchmarks.md},
 * which prints a table and writes it to {@code target/usage-scan-before-after.txt}.
 */
public class UsageScanBeforeAfterBenchmark {

  /** What the fake provider answers the side-by-side benchmark's chat calls. */
  static final String FAKE_ANSWER = "{\"id\":\"chatcmpl-fake-1\",\"object\":\"chat.completion\","
      + "\"created\":1796607461,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_fake\","
      + "\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
      + "\"assistant\",\"content\":\"[fake-reply 38927fb1] The request was handled.\","
      + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{"
      + "\"prompt_tokens\":118,\"completion_tokens\":42,\"total_tokens\":160,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
      + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}";

  static String answer(int sentences) {
    return "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
        + "\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + ("The policy covers water "
        + "damage from burst pipes up to the limit stated in section 4, minus the deductible. ")
        .repeat(sentences) + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":"
        + "146,\"total_tokens\":1263,\"prompt_tokens_details\":{\"cached_tokens\":1024,"
        + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,"
        + "\"audio_tokens\":0}},\"service_tier\":\"default\",\"system_fingerprint\":"
        + "\"fp_06737a9306\"}";
  }

  @Test
  void readsEachBodyWithBothBuilds() throws Throwable {
    String before = System.getProperty("bench.before", "");
    if (before.isEmpty()) {
      throw new IllegalArgumentException(
          "-Dbench.before=<an earlier flowcost-agent.jar or classes directory> is required");
    }
    MethodHandle[] read = {parser(Path.of(before)), parser(Path.of("target", "classes"))};
    int rounds = Integer.getInteger("bench.rounds", 24);
    int perRound = Integer.getInteger("bench.bodies", 20_000);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    StringBuilder table = new StringBuilder("| body | before: CPU ns per body (median; min–max)"
        + " | after | after ÷ before |\n|---|---|---|---|\n");
    for (String[] body : new String[][] {{"fake provider's answer", FAKE_ANSWER},
        {"OpenAI answer", answer(6)}, {"OpenAI answer", answer(40)}}) {
      byte[] bytes = body[1].getBytes(StandardCharsets.UTF_8);
      // both builds read the same usage
      assertThat(read[0].invoke(bytes).toString()).isEqualTo(read[1].invoke(bytes).toString());
      List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
      Object sink = null;
      for (int round = 0; round < rounds; round++) {
        for (int turn = 0; turn < 2; turn++) {
          int build = (round + turn) % 2;
          long start = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < perRound; i++) {
            sink = (Object) read[build].invokeExact(bytes);
          }
          if (round >= rounds / 4) {
            cpu.get(build).add((threads.getCurrentThreadCpuTime() - start) / (double) perRound);
          }
        }
      }
      assertThat(sink).isNotNull();
      double[] b = sorted(cpu.get(0));
      double[] a = sorted(cpu.get(1));
      table.append(String.format("| %s (%,d B) | %,.0f (%,.0f–%,.0f) | %,.0f (%,.0f–%,.0f) | %.2f |%n",
          body[0], bytes.length, b[b.length / 2], b[0], b[b.length - 1], a[a.length / 2], a[0],
          a[a.length - 1], a[a.length / 2] / b[b.length / 2]));
    }
    System.out.print(table);
    Files.writeString(Path.of("target", "usage-scan-before-after.txt"), table);
  }

  /** {@code parseWithoutToolCalls} of the build at {@code location}, typed (byte[])Object. */
  private static MethodHandle parser(Path location) throws Exception {
    ClassLoader loader = new URLClassLoader(new URL[] {location.toUri().toURL()},
        ClassLoader.getPlatformClassLoader());
    Class<?> parser = Class.forName(UsageParser.class.getName(), true, loader);
    Class<?> summary = Class.forName(ResponseSummary.class.getName(), false, loader);
    return MethodHandles.publicLookup().findStatic(parser, "parseWithoutToolCalls",
            MethodType.methodType(summary, byte[].class))
        .asType(MethodType.methodType(Object.class, byte[].class));
  }

  private static double[] sorted(List<Double> values) {
    double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(out);
    return out;
  }
}
