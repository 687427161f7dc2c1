package net.bytebuddy.agent.builder;

import java.security.PrivilegedAction;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * Replaces ByteBuddy's {@code AgentBuilder.Default.ExecutingTransformer.Factory.CreationAction} in
 * the shaded agent jar (the shade plugin gives this class that binary name; see {@code
 * tracer-agent/pom.xml}), so that ByteBuddy's class-file transformer is {@link
 * FlowcostModuleTransformer}, compiled with the agent, instead of a subclass ByteBuddy generates
 * when the agent starts.
 *
 * <p>Why: ByteBuddy's own action builds that subclass with its whole class-generation machinery
 * (about 500 classes loaded and run cold, the largest single item of the agent's start-up). The
 * generated class does exactly what {@link FlowcostModuleTransformer} does: it overrides the
 * module-aware {@code transform} of {@link java.lang.instrument.ClassFileTransformer} to pass the
 * module on. Nothing the agent transforms changes. Outside the shaded jar (the agent's unit tests)
 * ByteBuddy's own action runs and this class is unused.
 */
public final class FlowcostTransformerFactory
    implements PrivilegedAction<AgentBuilder.Default.ExecutingTransformer.Factory> {

  /** The one instance, read by {@code ExecutingTransformer}'s static initializer. */
  public static final FlowcostTransformerFactory INSTANCE = new FlowcostTransformerFactory();

  private FlowcostTransformerFactory() {}

  @Override
  public AgentBuilder.Default.ExecutingTransformer.Factory run() {
    try {
      return new AgentBuilder.Default.ExecutingTransformer.Factory.ForJava9CapableVm(
          FlowcostModuleTransformer.class.getConstructor(
              ByteBuddy.class,
              AgentBuilder.Listener.class,
              AgentBuilder.PoolStrategy.class,
              AgentBuilder.TypeStrategy.class,
              AgentBuilder.LocationStrategy.class,
              ClassFileLocator.class,
              AgentBuilder.Default.NativeMethodStrategy.class,
              AgentBuilder.InitializationStrategy.class,
              AgentBuilder.InjectionStrategy.class,
              AgentBuilder.LambdaInstrumentationStrategy.class,
              AgentBuilder.DescriptionStrategy.class,
              AgentBuilder.FallbackStrategy.class,
              AgentBuilder.ClassFileBufferStrategy.class,
              AgentBuilder.InstallationListener.class,
              AgentBuilder.RawMatcher.class,
              AgentBuilder.RedefinitionStrategy.ResubmissionEnforcer.class,
              List.class,
              AgentBuilder.CircularityLock.class));
    } catch (NoSuchMethodException e) {
      // the constructor is ByteBuddy's: a version that changed it fails here, at attach, loudly
      throw new IllegalStateException("ByteBuddy's ExecutingTransformer constructor changed", e);
    }
  }
}
