package io.flowcost.e2e;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Opens a workflow and asks a thread pool's worker which workflow it runs in: under the agent the
 * answer is the workflow's id, carried by the advice the agent inlines into {@code java.base}'s
 * {@code ThreadPoolExecutor} (which needs the read edge from {@code java.base} to the agent that
 * only a module-aware class-file transformer adds). Prints {@code opened ID} and {@code worker
 * ID-or-none}.
 */
public final class ExecutorProbeMain {

  private ExecutorProbeMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (Workflow wf = Flowcost.workflow("executor-probe").start()) {
      System.out.println("opened " + wf.id());
      String seen = pool.submit(() -> Flowcost.currentWorkflowId().orElse("none"))
          .get(30, TimeUnit.SECONDS);
      System.out.println("worker " + seen);
    } finally {
      pool.shutdown();
    }
  }
}
