package io.flowcost.reliability.bench;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import io.flowcost.examples.demo.PolicyTools;
import io.flowcost.examples.demo.RepairTools;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * The application of the side-by-side agent benchmark ({@link SideBySideAgentBenchmark}): a
 * LangChain4j AI service whose every invocation makes 3 model calls and 2 tool calls against the
 * fake provider (a separate process), timed per invocation, with the process's CPU time and the
 * bytes allocated by all its threads over the measured invocations.
 *
 * <p>Arguments: {@code BASE_URL WARMUP INVOCATIONS LAUNCH_EPOCH_MILLIS}. Prints one line {@code
 * RESULT first_ms=… median_ns=… cpu_ns=… alloc_bytes=… invocations=…} (per invocation, except
 * {@code first_ms}: from the launcher's {@code LAUNCH_EPOCH_MILLIS} to the end of the first
 * invocation, and {@code invocations}: all invocations made, warm-up included).
 */
public final class SideBySideAgentMain {

  /** The AI service: one method, the two demo tool classes. */
  public interface ClaimAssistant {
    /** Answers a question about a claim, calling the tools the model asks for. */
    String answer(String question);
  }

  private SideBySideAgentMain() {}

  public static void main(String[] args) {
    String baseUrl = args[0];
    int warmup = Integer.parseInt(args[1]);
    int invocations = Integer.parseInt(args[2]);
    long launchedAt = Long.parseLong(args[3]);

    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("bench-key")
        .modelName("gpt-4o-mini").build();
    ClaimAssistant assistant = AiServices.builder(ClaimAssistant.class).chatModel(model)
        .tools(new PolicyTools(), new RepairTools()).build();

    invoke(assistant, 0);
    long firstMillis = System.currentTimeMillis() - launchedAt;
    for (int i = 1; i <= warmup; i++) {
      invoke(assistant, i);
    }

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long[] nanos = new long[invocations];
    long alloc0 = allThreadsAllocated(threads);
    long cpu0 = os.getProcessCpuTime();
    for (int i = 0; i < invocations; i++) {
      long t0 = System.nanoTime();
      invoke(assistant, warmup + 1 + i);
      nanos[i] = System.nanoTime() - t0;
    }
    long cpu = os.getProcessCpuTime() - cpu0;
    long alloc = allThreadsAllocated(threads) - alloc0;
    Arrays.sort(nanos);
    System.out.printf("RESULT first_ms=%d median_ns=%d cpu_ns=%d alloc_bytes=%d invocations=%d%n",
        firstMillis, nanos[invocations / 2], cpu / invocations, alloc / invocations,
        warmup + 1 + invocations);
  }

  /** One invocation: 3 model calls (tool, tool, answer) and 2 tool calls. */
  private static void invoke(ClaimAssistant assistant, int i) {
    String answer = assistant.answer("Claim C-" + i + ": is the windshield covered?"
        + " [tool:lookupPolicy {\"policyId\":\"P-1003\"}]"
        + " [tool:estimateRepair {\"item\":\"windshield\"}]");
    if (answer == null || answer.isEmpty()) {
      throw new IllegalStateException("empty answer at invocation " + i);
    }
  }

  /** Bytes allocated so far by the live threads (threads that ended are not counted). */
  private static long allThreadsAllocated(com.sun.management.ThreadMXBean threads) {
    return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
        .filter(b -> b > 0).sum();
  }
}
