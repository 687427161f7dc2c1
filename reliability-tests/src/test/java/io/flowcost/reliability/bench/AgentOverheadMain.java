package io.flowcost.reliability.bench;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.flowcost.examples.fakeprovider.FakeProvider;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * One LangChain4j chat call after another against the in-process fake provider, timing each call
 * and counting bytes allocated. Run with and without the agent by {@link AgentOverheadBenchmark};
 * with a third argument {@code workflow}, inside one workflow (where the agent checks caps).
 */
public final class AgentOverheadMain {

  private AgentOverheadMain() {}

  public static void main(String[] args) throws Exception {
    int warmup = Integer.parseInt(args[0]);
    int calls = Integer.parseInt(args[1]);
    // "workflow": every call runs inside one outcome-api workflow, where caps are checked
    boolean inWorkflow = args.length > 2 && args[2].equals("workflow");
    try (io.flowcost.outcome.Workflow wf = inWorkflow
        ? io.flowcost.outcome.Flowcost.workflow("bench").start() : null) {
      measure(warmup, calls);
    }
  }

  private static void measure(int warmup, int calls) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (FakeProvider fake = FakeProvider.start()) {
      ChatModel model = OpenAiChatModel.builder().baseUrl(fake.baseUrl()).apiKey("bench-key")
          .modelName("gpt-4o-mini").build();
      for (int i = 0; i < warmup; i++) {
        model.chat("Summarise claim " + i);
        if (i % 500 == 499) {
          fake.reset();
        }
      }
      fake.reset();
      long[] nanos = new long[calls];
      long appBytes = 0;
      long allBefore = allThreadsAllocated(threads);
      for (int i = 0; i < calls; i++) {
        long bytes0 = threads.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        model.chat("Summarise claim " + i);
        nanos[i] = System.nanoTime() - t0;
        appBytes += threads.getCurrentThreadAllocatedBytes() - bytes0;
        if (i % 500 == 499) {
          fake.reset();
        }
      }
      long allBytes = allThreadsAllocated(threads) - allBefore;
      Arrays.sort(nanos);
      double mean = Arrays.stream(nanos).average().orElse(0);
      System.out.printf("RESULT calls=%d p50_us=%.1f mean_us=%.1f p99_us=%.1f"
              + " app_thread_bytes_per_call=%d all_threads_bytes_per_call=%d%n", calls,
          nanos[calls / 2] / 1e3, mean / 1e3, nanos[(int) (calls * 0.99)] / 1e3,
          appBytes / calls, allBytes / calls);
    }
  }

  private static long allThreadsAllocated(com.sun.management.ThreadMXBean threads) {
    return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
        .filter(b -> b > 0).sum();
  }
}
