package io.flowcost.examples.sdk;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many workflows at once on a small pool, interleaved: workflow {@code job-i} makes {@code i % 3 +
 * 1} model calls, alternately through the blocking and the asynchronous SDK client, each with a
 * prompt whose length grows with {@code i} — so every call's tokens tell which workflow it belongs
 * to.
 */
final class Batch {

  private Batch() {}

  static void run(OpenAIClient client, int workflows, PrintStream out) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < workflows; i++) {
        int job = i;
        results.add(pool.submit(() -> job(client, job)));
      }
      int calls = 0;
      for (Future<Integer> result : results) {
        calls += result.get(60, TimeUnit.SECONDS);
      }
      out.println("batch workflows=" + workflows + " calls=" + calls);
    } finally {
      pool.shutdown();
    }
  }

  private static int job(OpenAIClient client, int job) {
    int calls = job % 3 + 1;
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Job " + "x".repeat(4 * job)).build();
    try (Workflow wf = Flowcost.workflow("batch").tag("team", "batch").externalKey("job-" + job)
        .start()) {
      for (int c = 0; c < calls; c++) {
        if (c % 2 == 0) {
          client.chat().completions().create(params);
        } else {
          client.async().chat().completions().create(params).join();
        }
      }
      wf.success();
    }
    return calls;
  }
}
