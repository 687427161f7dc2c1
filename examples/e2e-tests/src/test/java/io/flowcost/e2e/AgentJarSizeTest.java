package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The agent jar stays at most 8 MiB: a platform team weighs what it ships into every JVM, and the
 * shaded dependencies (OpenTelemetry SDK, Byte Buddy, the o200k token table, the price catalog)
 * creep. Checked on the jar the build just made, so a change that grows it fails here rather than
 * in a later measurement. Where the bytes go: `unzip -l tracer-agent/target/flowcost-agent.jar`.
 *
 * <p>The jar leaves out what the agent never loads — the OpenTelemetry metrics and logs SDKs, the
 * {@code OpenTelemetrySdk} aggregate, the OTLP marshalers of metrics and logs (it exports traces
 * only) — so every OpenTelemetry class a shipped class names must still be in the jar.
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

  private static final String OTEL = "io/flowcost/agent/shaded/otel/";
  /** OpenTelemetry's incubator API is optional by design: the SDK checks for it before use. */
  private static final String OPTIONAL = OTEL + "api/incubator/";
  private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L(" + OTEL + "[^;<>]+);");

  @Test
  void everyShadedOpenTelemetryClassTheJarNamesIsInTheJar() throws Exception {
    Set<String> classes = new HashSet<>();
    List<ZipEntry> classFiles = new ArrayList<>();
    Set<String> missing = new TreeSet<>();
    try (ZipFile jar = new ZipFile(ChildJvm.agentJar().toFile())) {
      for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (entry.getName().endsWith(".class")) {
          classes.add(entry.getName().substring(0, entry.getName().length() - 6));
          classFiles.add(entry);
        }
      }
      for (ZipEntry entry : classFiles) {
        try (InputStream in = jar.getInputStream(entry)) {
          for (String name : referencedClasses(in)) {
            if (name.startsWith(OTEL) && !name.startsWith(OPTIONAL) && !classes.contains(name)) {
              missing.add(entry.getName() + " -> " + name);
            }
          }
        }
      }
    }
    // the agent encodes and batches with its own classes: OpenTelemetry's OTLP exporter
    // (marshalers, senders) is left out of the jar
    assertThat(classes).as("the agent's own exporter is in the jar")
        .contains("io/flowcost/agent/trace/OtlpTraceEncoder",
            "io/flowcost/agent/export/SpanBatcher", OTEL + "sdk/trace/SpanProcessor")
        .noneMatch(c -> c.startsWith(OTEL + "exporter/"))
        .noneMatch(c -> c.startsWith(OTEL + "sdk/metrics/") || c.startsWith(OTEL + "sdk/logs/"));
    assertThat(missing).as("OpenTelemetry classes named by a shipped class but left out").isEmpty();
  }

  /**
   * The classes a class file names: its {@code CONSTANT_Class} entries and the object types of
   * its descriptors (JVMS 4.4).
   */
  static Set<String> referencedClasses(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classIndexes = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classIndexes.add(in.readUnsignedShort());
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // takes two entries
        }
        default -> throw new IOException("constant pool tag " + tag);
      }
    }
    Set<String> names = new HashSet<>();
    for (int index : classIndexes) {
      String name = utf8[index];
      if (name != null && !name.startsWith("[")) {
        names.add(name);
      }
    }
    for (String s : utf8) {
      if (s != null && s.contains(OTEL)) {
        Matcher m = DESCRIPTOR_TYPE.matcher(s);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }
}
