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

  /**
   * An ignore matcher that can also tell from a class's name alone that the class is ignored.
   * When the agent's ignore matcher is one, the transformer asks it first and returns at once for
   * an ignored class, before ByteBuddy's per-class set-up; it must answer exactly as {@link
   * #matches} would for a type of that name.
   */
  public interface NameFilter extends AgentBuilder.RawMatcher {

    /** Whether the class of this internal name ({@code a/b/C}) is ignored, whatever its loader. */
    boolean ignores(String internalName);
  }

  /** The ignore matcher, when it can answer by name; else {@code null}. */
  private final NameFilter ignoredByName;

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
    this.ignoredByName = ignoreMatcher instanceof NameFilter filter ? filter : null;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String internalName,
      Class<?> classBeingRedefined, ProtectionDomain protectionDomain, byte[] classFile) {
    if (ignoredByName != null && internalName != null && ignoredByName.ignores(internalName)) {
      return null; // what ByteBuddy answers for an ignored class, without its set-up for it
    }
    return super.transform((Object) module, loader, internalName, classBeingRedefined,
        protectionDomain, classFile);
  }
}
