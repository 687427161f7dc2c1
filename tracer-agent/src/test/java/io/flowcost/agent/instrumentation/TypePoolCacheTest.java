package io.flowcost.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/** {@link TypePoolCache}: descriptions kept between transformations, per loader, bounded. */
class TypePoolCacheTest {

  interface Model {}

  abstract static class Base implements Model {}

  static class Provider extends Base {}

  static class OtherProvider extends Base {}

  /** Reads class files from the test class path and remembers which it was asked for. */
  private static final class CountingLocator implements ClassFileLocator {
    final List<String> located = new ArrayList<>();
    private final ClassFileLocator delegate = ClassFileLocator.ForClassLoader.ofSystemLoader();

    @Override
    public Resolution locate(String name) throws IOException {
      located.add(name);
      return delegate.locate(name);
    }

    @Override
    public void close() {}
  }

  @Test
  void aSuperTypeIsReadOnceForEveryClassThatHasIt() {
    TypePoolCache cache = new TypePoolCache();
    ClassLoader loader = ClassLoader.getSystemClassLoader();
    CountingLocator first = new CountingLocator();
    CountingLocator second = new CountingLocator();
    // two transformations, each with its own pool, as ByteBuddy makes one per class
    assertThat(TypeMatchers.hasSuperTypeNamed(Model.class.getName()).matches(
        cache.typePool(first, loader, Provider.class.getName())
            .describe(Provider.class.getName()).resolve())).isTrue();
    assertThat(TypeMatchers.hasSuperTypeNamed(Model.class.getName()).matches(
        cache.typePool(second, loader, OtherProvider.class.getName())
            .describe(OtherProvider.class.getName()).resolve())).isTrue();
    // Model is matched by name: its own class file is never needed; Base's is, once
    assertThat(first.located).containsExactly(Provider.class.getName(), Base.class.getName());
    assertThat(second.located).as("Base came from the cache")
        .containsExactly(OtherProvider.class.getName());
  }

  @Test
  void theClassBeingTransformedIsAlwaysReadFromItsOwnBytes() {
    TypePoolCache cache = new TypePoolCache();
    ClassLoader loader = ClassLoader.getSystemClassLoader();
    cache.typePool(new CountingLocator(), loader).describe(Provider.class.getName()).resolve()
        .getSuperClass(); // Provider now cached
    CountingLocator again = new CountingLocator();
    cache.typePool(again, loader, Provider.class.getName()).describe(Provider.class.getName())
        .resolve().getSuperClass();
    assertThat(again.located).containsExactly(Provider.class.getName());
  }

  @Test
  void oneCachePerLoaderTheBootstrapLoaderIncluded() throws IOException {
    TypePoolCache cache = new TypePoolCache();
    try (URLClassLoader other = new URLClassLoader(new URL[0], null)) {
      TypePool.CacheProvider system = cache.locate(ClassLoader.getSystemClassLoader());
      assertThat(cache.locate(ClassLoader.getSystemClassLoader())).isSameAs(system);
      assertThat(cache.locate(other)).isNotSameAs(system);
      assertThat(cache.locate(null)).isSameAs(cache.locate(null)).isNotSameAs(system);
      assertThat(cache.loaders()).isEqualTo(3);
    }
  }

  @Test
  void typesNotFoundAreNotKeptAndTheCacheStaysBounded() {
    TypePoolCache.Bounded cache = new TypePoolCache.Bounded();
    assertThat(cache.find("java.lang.Object")).as("Object is always there").isNotNull();
    cache.register("x.Missing", new TypePool.Resolution.Illegal("x.Missing"));
    assertThat(cache.find("x.Missing")).isNull();

    TypePool.Resolution string =
        new TypePool.Resolution.Simple(TypeDescription.ForLoadedType.of(String.class));
    for (int i = 0; i < TypePoolCache.MAX_TYPES + 10; i++) {
      cache.register("x.T" + i, string);
      assertThat(cache.size()).isLessThanOrEqualTo(TypePoolCache.MAX_TYPES);
    }
    assertThat(cache.find("x.T" + (TypePoolCache.MAX_TYPES + 9))).isSameAs(string);
    assertThat(cache.find("x.T0")).as("dropped when the cache started again").isNull();
    assertThat(cache.find("java.lang.Object")).isNotNull();
    assertThat(cache.register("x.T" + (TypePoolCache.MAX_TYPES + 9),
        new TypePool.Resolution.Simple(TypeDescription.ForLoadedType.of(Integer.class))))
        .as("the first registration stays").isSameAs(string);
  }
}
