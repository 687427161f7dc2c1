package io.flowcost.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.lang.annotation.Retention;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/**
 * {@link TypeMatchers} match exactly what ByteBuddy's {@code not(isInterface())} and {@code
 * hasSuperType(named(…))} match, on types described from their class files by the agent's
 * header-first pool ({@link TypePoolCache}) as the agent describes them.
 */
class TypeMatchersTest {

  interface Base {}

  interface Extended extends Base {}

  abstract static class Abstract implements Base {}

  static class Concrete extends Abstract implements Serializable {}

  static class ViaInterface implements Extended {}

  enum Kind implements Extended { A }

  record Point(int x) implements Base {}

  static class Unrelated {}

  @interface Marker {}

  private static final List<Class<?>> TYPES = List.of(Base.class, Extended.class, Abstract.class,
      Concrete.class, ViaInterface.class, Kind.class, Point.class, Unrelated.class, Marker.class,
      Object.class, ArrayList.class, List.class, ThreadPoolExecutor.class, Retention.class,
      String.class);

  private static final List<String> NAMES = List.of(Base.class.getName(),
      Extended.class.getName(), Abstract.class.getName(), Concrete.class.getName(),
      Serializable.class.getName(), "java.util.Collection", "java.lang.Object",
      "java.lang.Enum", "java.lang.Record", "java.lang.annotation.Annotation",
      "java.util.concurrent.ExecutorService", "no.such.Type");

  @Test
  void matchWhatByteBuddysMatchersMatch() {
    TypePool pool = new TypePoolCache().typePool(ClassFileLocator.ForClassLoader.ofSystemLoader(),
        ClassLoader.getSystemClassLoader());
    int matched = 0;
    for (Class<?> type : TYPES) {
      TypeDescription pooled = pool.describe(type.getName()).resolve();
      TypeDescription loaded = TypeDescription.ForLoadedType.of(type);
      assertThat(TypeMatchers.notInterface().matches(pooled)).as(type.getName())
          .isEqualTo(not(isInterface()).matches(loaded));
      for (String name : NAMES) {
        boolean expected = hasSuperType(named(name)).matches(loaded);
        assertThat(TypeMatchers.hasSuperTypeNamed(name).matches(pooled))
            .as(type.getName() + " has super type " + name).isEqualTo(expected);
        assertThat(TypeMatchers.hasSuperTypeNamed(name).matches(loaded))
            .as(type.getName() + " (loaded) has super type " + name).isEqualTo(expected);
        matched += expected ? 1 : 0;
      }
    }
    assertThat(matched).as("the cases include matches").isGreaterThan(20);
    assertThat(TypeMatchers.hasSuperTypeNamed(Base.class.getName()).matches(
        pool.describe(Concrete.class.getName()).resolve())).isTrue();
    assertThat(TypeMatchers.hasSuperTypeNamed(Extended.class.getName()).matches(
        pool.describe(Concrete.class.getName()).resolve())).isFalse();
  }

  @Test
  void nullIsNoMatch() {
    assertThat(TypeMatchers.notInterface().matches(null)).isFalse();
    assertThat(TypeMatchers.hasSuperTypeNamed("java.lang.Object").matches(null)).isFalse();
  }
}
