package io.flowcost.agent.export;

import java.nio.file.Path;

/**
 * A process that spools batches for an unreachable collector and then dies without any shutdown
 * hook, like {@code kill -9} or a JVM crash. Run by {@link CrashedSpoolReplayTest}.
 */
public final class SpoolCrashMain {

  private SpoolCrashMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int batches = Integer.parseInt(args[2]);
    SpanShipper shipper = new SpanShipper(new HttpTransport(args[1], null),
        Spool.open(root, 1 << 20), 1 << 20, "crashing-app").start();
    for (int i = 0; i < batches; i++) {
      shipper.enqueue(SpoolTest.body(String.format("crash-%03d", i), 400), 2);
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (shipper.spool().size() < batches && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    System.out.println("spooled " + shipper.spool().size());
    Runtime.getRuntime().halt(137);
  }
}
