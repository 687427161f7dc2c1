package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the packaged agent does at start-up (docs/benchmarks.md, "Start-up"): ByteBuddy's
 * class-file transformer is the one compiled into the jar ({@code FlowcostModuleTransformer}), so
 * nothing is generated at start-up, and it still passes each class's module on: advice inlined
 * into {@code java.base} (the executors) works, which needs the read edge only a module-aware
 * transformer adds. On Java 17 and, where installed, Java 25.
 */
class AgentStartupTest {

  private static final String SHADED = "io.flowcost.agent.shaded.bytebuddy.";

  @TempDir Path tmp;

  @Test
  void theTransformerIsCompiledNotGeneratedAndAdviceReachesJavaBaseOnJava17() throws Exception {
    check(ChildJvm.java17());
  }

  @Test
  void theSameOnJava25() throws Exception {
    Path java25 = ChildJvm.java25();
    org.junit.jupiter.api.Assumptions.assumeTrue(java25 != null, "no Java 25 JDK installed");
    check(java25);
  }

  private void check(Path java) throws Exception {
    Path classLog = tmp.resolve("classes-" + java.getParent().getParent().getFileName() + ".txt");
    List<String> jvm = new ArrayList<>(List.of(
        "-javaagent:" + ChildJvm.agentJar(),
        "-Xlog:class+load=info:file=" + classLog,
        "-Dflowcost.service=startup-test",
        "-Dflowcost.endpoint=http://127.0.0.1:9", // nothing listens: spans go to the spool
        "-Dflowcost.spool.dir=" + Files.createTempDirectory(tmp, "spool"),
        "-Dflowcost.shutdown.timeout.ms=2000"));
    ChildJvm.Result r =
        ChildJvm.runMain(java, jvm, ExecutorProbeMain.class, List.of(), tmp, 120);
    assertThat(r.exitCode()).as(r.stderr()).isZero();

    String opened = line(r.stdout(), "opened ");
    assertThat(opened).as(r.stdout()).isNotBlank().isNotEqualTo("none");
    assertThat(line(r.stdout(), "worker ")).as("the pool's worker runs in the workflow: "
        + r.stdout() + r.stderr()).isEqualTo(opened);

    List<String> loaded = Files.readAllLines(classLog).stream()
        .map(l -> l.substring(l.indexOf("] ") + 2)).map(l -> l.split(" ")[0]).toList();
    assertThat(loaded).as("the compiled transformer is the one installed")
        .contains(SHADED + "agent.builder.FlowcostModuleTransformer");
    assertThat(loaded).as("ByteBuddy generates no transformer class at start-up")
        .noneMatch(c -> c.contains("$ByteBuddy$ModuleSupport"))
        .noneMatch(c -> c.startsWith(SHADED + "dynamic.scaffold.subclass."));
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
        .findFirst().orElse("");
  }
}
