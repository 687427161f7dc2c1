package net.bytebuddy.agent.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.utility.JavaModule;
import org.junit.jupiter.api.Test;

/**
 * {@link FlowcostModuleTransformer} asks an ignore matcher that is a {@link
 * FlowcostModuleTransformer.NameFilter} by name first: an ignored class is answered at once,
 * before ByteBuddy's per-class set-up (which starts by telling its listener of the class); any
 * other class goes through ByteBuddy as before, as does every class when the ignore matcher is
 * not a name filter.
 */
class FlowcostModuleTransformerTest {

  static final class Target {}

  private static final String TARGET = Target.class.getName().replace('.', '/');

  /** Ignores every class but {@link Target}; counts the by-name questions. */
  private static final class AllButTarget implements FlowcostModuleTransformer.NameFilter {
    int asked;

    @Override
    public boolean ignores(String internalName) {
      asked++;
      return !internalName.equals(TARGET);
    }

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module,
        Class<?> classBeingRedefined, ProtectionDomain protectionDomain) {
      return ignores(type.getName().replace('.', '/'));
    }
  }

  /** The classes ByteBuddy's per-class path saw. */
  private static final class Discovered extends AgentBuilder.Listener.Adapter {
    final List<String> names = new ArrayList<>();

    @Override
    public void onDiscovery(String typeName, ClassLoader loader, JavaModule module, boolean loaded) {
      names.add(typeName);
    }
  }

  private static FlowcostModuleTransformer transformer(AgentBuilder.RawMatcher ignore,
      AgentBuilder.Listener listener) {
    return new FlowcostModuleTransformer(new ByteBuddy(), listener,
        AgentBuilder.PoolStrategy.Default.FAST, AgentBuilder.TypeStrategy.Default.DECORATE,
        AgentBuilder.LocationStrategy.ForClassLoader.WEAK, ClassFileLocator.NoOp.INSTANCE,
        AgentBuilder.Default.NativeMethodStrategy.Disabled.INSTANCE,
        AgentBuilder.InitializationStrategy.NoOp.INSTANCE,
        AgentBuilder.InjectionStrategy.Disabled.INSTANCE,
        AgentBuilder.LambdaInstrumentationStrategy.DISABLED,
        AgentBuilder.DescriptionStrategy.Default.HYBRID,
        AgentBuilder.FallbackStrategy.Simple.DISABLED,
        AgentBuilder.ClassFileBufferStrategy.Default.RETAINING,
        AgentBuilder.InstallationListener.NoOp.INSTANCE, ignore,
        AgentBuilder.RedefinitionStrategy.ResubmissionEnforcer.Disabled.INSTANCE, List.of(),
        AgentBuilder.CircularityLock.Inactive.INSTANCE);
  }

  private static byte[] classFile(Class<?> type) throws Exception {
    String name = type.getName();
    try (InputStream in = type.getResourceAsStream(name.substring(name.lastIndexOf('.') + 1) + ".class")) {
      return in.readAllBytes();
    }
  }

  @Test
  void anIgnoredClassIsAnsweredByNameBeforeByteBuddySeesIt() throws Exception {
    AllButTarget filter = new AllButTarget();
    Discovered seen = new Discovered();
    FlowcostModuleTransformer transformer = transformer(filter, seen);
    ClassLoader loader = getClass().getClassLoader();
    Module module = getClass().getModule();

    assertThat(transformer.transform(module, loader, "com/example/Other", null, null,
        classFile(Unrelated.class))).isNull();
    assertThat(seen.names).as("ByteBuddy never saw the ignored class").isEmpty();
    assertThat(transformer.transform(module, loader, null, null, null, new byte[0])).isNull();

    assertThat(transformer.transform(module, loader, TARGET, null, null, classFile(Target.class)))
        .as("nothing to apply: ByteBuddy leaves the class as it is").isNull();
    assertThat(seen.names).containsExactly(Target.class.getName());
    assertThat(filter.asked).isGreaterThanOrEqualTo(2);
  }

  @Test
  void anotherIgnoreMatcherLeavesEveryClassToByteBuddy() throws Exception {
    Discovered seen = new Discovered();
    FlowcostModuleTransformer transformer = transformer(
        (type, loader, module, redefined, domain) -> !type.getName().equals(Target.class.getName()),
        seen);
    transformer.transform(getClass().getModule(), getClass().getClassLoader(), "com/example/Other",
        null, null, classFile(Unrelated.class));
    assertThat(seen.names).containsExactly("com.example.Other");
  }

  static final class Unrelated {}
}
