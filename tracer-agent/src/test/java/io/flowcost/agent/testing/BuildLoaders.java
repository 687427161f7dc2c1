package io.flowcost.agent.testing;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Class loaders for the before/after benchmarks that run two builds of the agent in one JVM
 * ({@code InvocationPathBeforeAfterBenchmark}, {@code JdkSendBeforeAfterBenchmark}): each build
 * gets a loader of its own, so its classes and their static state are its own.
 */
public final class BuildLoaders {

  private BuildLoaders() {}

  /**
   * A build's own loader: its agent classes ({@code agentClasses}, e.g. another clone's {@code
   * tracer-agent/target/classes}) first, then this module's test classes (the same benchmark
   * code for every build) and every other entry of this JVM's class path (OpenTelemetry,
   * LangChain4j: loaded once per build), without this module's own classes; parent: the platform
   * loader.
   */
  public static ClassLoader of(Path agentClasses) throws Exception {
    Path tests = Path.of("target", "test-classes").toAbsolutePath();
    Path mine = Path.of("target", "classes").toAbsolutePath();
    List<URL> urls = new ArrayList<>();
    urls.add(agentClasses.toUri().toURL());
    urls.add(tests.toUri().toURL());
    // surefire starts the JVM through a manifest-only jar; the class path is in its property
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      if (!p.equals(mine) && !p.equals(tests) && !entry.endsWith("surefirebooter.jar")) {
        urls.add(p.toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }
}
