package io.flowcost.outcome;

import java.time.Duration;

/**
 * An app that reports outcomes while its collector is down (settings from system properties, as
 * in production) and then dies without any shutdown hook, like {@code kill -9}. Run by
 * {@link OutcomeSpoolTest}.
 */
public final class OutcomeCrashMain {

  private OutcomeCrashMain() {}

  public static void main(String[] args) {
    int reports = Integer.parseInt(args[0]);
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < reports; i++) {
      ids.append(Flowcost.outcomeForKey("CRASH-" + i).success().report()).append(' ');
    }
    System.out.println("flushed " + Flowcost.flush(Duration.ofSeconds(30)));
    System.out.println("ids " + ids.toString().strip());
    System.out.flush();
    Runtime.getRuntime().halt(137);
  }
}
