package io.flowcost.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.contract.SpanKeys;
import io.flowcost.contract.WorkflowSource;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * outcome-api takes its span keys from {@code span-contract} at compile time only ({@code
 * provided} scope): javac copies the constants into its classes. This runs a workflow through its
 * whole life in a class loader that holds outcome-api and nothing else, so a use of the contract
 * that needs it at run time (an enum, a method) fails here with {@link NoClassDefFoundError}; and
 * checks the one value spelled in outcome-api against the contract.
 */
class SpanContractConstantsTest {

  @Test
  void aWorkflowRunsWithoutTheContractOnTheClassPath(@TempDir Path spool) throws Exception {
    URL outcomeApi = Workflow.class.getProtectionDomain().getCodeSource().getLocation();
    URL contract = SpanKeys.class.getProtectionDomain().getCodeSource().getLocation();
    assertThat(outcomeApi).isNotEqualTo(contract);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String endpoint = System.getProperty("flowcost.endpoint");
    String spoolDir = System.getProperty("flowcost.spool.dir");
    System.setProperty("flowcost.endpoint", "http://127.0.0.1:" + closedPort);
    System.setProperty("flowcost.spool.dir", spool.toString());
    try (URLClassLoader alone = new URLClassLoader(new URL[] {outcomeApi},
        ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> alone.loadClass(SpanKeys.class.getName()))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> flowcost = alone.loadClass(Flowcost.class.getName());
      Object builder = flowcost.getMethod("workflow", String.class).invoke(null, "contract-check");
      builder = builder.getClass().getMethod("tag", String.class, String.class)
          .invoke(builder, "team", "a");
      builder = builder.getClass().getMethod("externalKey", String.class).invoke(builder, "K-1");
      Object workflow = builder.getClass().getMethod("start").invoke(builder);
      // close() builds the span's attributes from the contract's keys and queues it for delivery
      workflow.getClass().getMethod("close").invoke(workflow);
      flowcost.getMethod("flush", java.time.Duration.class)
          .invoke(null, java.time.Duration.ofSeconds(2));
    } finally {
      restore("flowcost.endpoint", endpoint);
      restore("flowcost.spool.dir", spoolDir);
    }
    // the span, undeliverable, went to the spool with the contract's key spellings in it
    String spooled;
    try (var files = Files.walk(spool)) {
      spooled = files.filter(Files::isRegularFile).map(p -> {
        try {
          return Files.readString(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).reduce("", String::concat);
    }
    assertThat(spooled).contains(SpanKeys.WORKFLOW_NAME).contains(SpanKeys.TAG_PREFIX + "team")
        .contains(SpanKeys.EXTERNAL_KEY).contains("contract-check");
  }

  @Test
  void theApiSourceIsTheContractsSpelling() {
    assertThat(Workflow.SOURCE_API).isEqualTo(WorkflowSource.API.wire());
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
