package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The agent jar stays at most 8 MiB: a platform team weighs what it ships into every JVM, and the
 * shaded dependencies (OpenTelemetry SDK, Byte Buddy, the o200k token table, the price catalog)
 * creep. Checked on the jar the build just made, so a change that grows it fails here rather than
 * in a later measurement. Where the bytes go: `unzip -l tracer-agent/target/flowcost-agent.jar`.
 */
class AgentJarSizeTest {

  static final long LIMIT_BYTES = 8L * 1024 * 1024;

  @Test
  void theShadedAgentJarIsAtMostEightMebibytes() throws Exception {
    long size = Files.size(ChildJvm.agentJar());
    System.out.printf("agent jar: %,d bytes of %,d (%.1f%%)%n", size, LIMIT_BYTES,
        100.0 * size / LIMIT_BYTES);
    assertThat(size).as("tracer-agent/target/flowcost-agent.jar, bytes").isLessThanOrEqualTo(LIMIT_BYTES);
  }
}
