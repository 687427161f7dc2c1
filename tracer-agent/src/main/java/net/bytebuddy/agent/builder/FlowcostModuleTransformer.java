package net.bytebuddy.agent.builder;

import java.security.ProtectionDomain;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * ByteBuddy's class-file transformer with the module-aware {@code transform} of {@link
 * java.lang.instrument.ClassFileTransformer} passing the module on: the class ByteBuddy would
 * otherwise generate at start-up (its {@code ExecutingTransformer$ByteBuddy$ModuleSupport}),
 * compiled instead. Created through {@link FlowcostTransformerFactory}.
 */
public class FlowcostModuleTransformer extends AgentBuilder.Default.ExecutingTransformer {

  /** ByteBuddy's constructor, unchanged. */
  public FlowcostModuleTransformer(
      ByteBuddy byteBuddy,
      AgentBuilder.Listener listener,
      AgentBuilder.PoolStrategy poolStrategy,
      AgentBuilder.TypeStrategy typeStrategy,
      AgentBuilder.LocationStrategy locationStrategy,
      ClassFileLocator classFileLocator,
      AgentBuilder.Default.NativeMethodStrategy nativeMethodStrategy,
      AgentBuilder.InitializationStrategy initializationStrategy,
      AgentBuilder.InjectionStrategy injectionStrategy,
      AgentBuilder.LambdaInstrumentationStrategy lambdaInstrumentationStrategy,
      AgentBuilder.DescriptionStrategy descriptionStrategy,
      AgentBuilder.FallbackStrategy fallbackStrategy,
      AgentBuilder.ClassFileBufferStrategy classFileBufferStrategy,
      AgentBuilder.InstallationListener installationListener,
      AgentBuilder.RawMatcher ignoreMatcher,
      AgentBuilder.RedefinitionStrategy.ResubmissionEnforcer resubmissionEnforcer,
      List<AgentBuilder.Default.Transformation> transformations,
      AgentBuilder.CircularityLock circularityLock) {
    super(byteBuddy, listener, poolStrategy, typeStrategy, locationStrategy, classFileLocator,
        nativeMethodStrategy, initializationStrategy, injectionStrategy,
        lambdaInstrumentationStrategy, descriptionStrategy, fallbackStrategy,
        classFileBufferStrategy, installationListener, ignoreMatcher, resubmissionEnforcer,
        transformations, circularityLock);
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String internalName,
      Class<?> classBeingRedefined, ProtectionDomain protectionDomain, byte[] classFile) {
    return super.transform((Object) module, loader, internalName, classBeingRedefined,
        protectionDomain, classFile);
  }
}
