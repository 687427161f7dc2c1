package io.flowcost.agent;

import io.flowcost.agent.http.HttpSettings;
import io.flowcost.agent.instrumentation.InstrumentationModule;
import java.lang.instrument.ClassFileTransformer;
import java.util.List;
import net.bytebuddy.dynamic.ClassFileLocator;

/** Test access to {@link AgentInstaller}'s package-private parts. */
public final class AgentInstallerAccess {

  private AgentInstallerAccess() {}

  /** The units the installer installs under {@code config}. */
  public static List<InstrumentationModule> enabled(AgentConfig config) {
    return AgentInstaller.enabledModules(config);
  }

  /** The start line under {@code config}. */
  public static String startLine(AgentConfig config) {
    return AgentInstaller.startLine("test", config,
        HttpSettings.from(n -> null, n -> null, config.endpoint()));
  }

  /**
   * The transformer the installer would register under {@code config}, with advice bytes read from
   * the test class path instead of the agent jar.
   */
  public static ClassFileTransformer transformer(AgentConfig config) {
    return AgentInstaller.install(AgentInstaller.baseBuilder(),
            ClassFileLocator.ForClassLoader.ofSystemLoader(), AgentInstaller.enabledModules(config))
        .makeRaw();
  }
}
