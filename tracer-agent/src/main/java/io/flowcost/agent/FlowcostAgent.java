package io.flowcost.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * The {@code -javaagent} entry point. Deliberately tiny: it puts the agent jar on the bootstrap
 * class path, so that advice inlined into any class (application, LangChain4j, JDK executors) sees
 * exactly one copy of the agent's helper classes, and hands over to {@code AgentInstaller} loaded
 * from there. It must not reference any other agent class.
 */
public final class FlowcostAgent {

  private FlowcostAgent() {}

  /** Called by the JVM for {@code -javaagent:flowcost-agent.jar}. */
  public static void premain(String arguments, Instrumentation instrumentation) {
    start(instrumentation);
  }

  /** Called when the agent is attached to a running JVM. */
  public static void agentmain(String arguments, Instrumentation instrumentation) {
    start(instrumentation);
  }

  private static void start(Instrumentation instrumentation) {
    try {
      File jar =
          new File(FlowcostAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
      String version = FlowcostAgent.class.getPackage().getImplementationVersion();
      Class<?> installer = Class.forName("io.flowcost.agent.AgentInstaller", true, null);
      installer
          .getMethod("install", String.class, String.class, Instrumentation.class)
          .invoke(null, jar.getPath(), version, instrumentation);
    } catch (Throwable t) {
      Throwable cause = t.getCause() != null ? t.getCause() : t;
      System.err.println(
          "[flowcost] agent not started (" + cause.getClass().getName() + "); the application runs untraced");
    }
  }
}
