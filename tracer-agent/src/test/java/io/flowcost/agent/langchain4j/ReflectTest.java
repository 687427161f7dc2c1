package io.flowcost.agent.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Reflect}: answers by class and name, whatever the direct-mapped tables in front of the
 * per-class maps hold — many classes sharing a name, interleaved, a name built at run time rather
 * than a literal, absent methods, methods that throw, and after a collection cleared the slots.
 */
class ReflectTest {

  /** Public classes with the same method names and different answers. */
  public static final class First {
    public String modelName() {
      return "first";
    }

    public long statusCode() {
      return 200;
    }
  }

  public static final class Second {
    public String modelName() {
      return "second";
    }

    public int statusCode() {
      return 429;
    }

    public String broken() {
      throw new IllegalStateException("boom");
    }
  }

  public static final class Numbered {
    private final int n;

    Numbered(int n) {
      this.n = n;
    }

    public String modelName() {
      return "n" + n;
    }
  }

  @Test
  void theSameNameOnDifferentClassesInterleavedGivesEachClassItsOwnAnswer() {
    First first = new First();
    Second second = new Second();
    for (int i = 0; i < 1_000; i++) {
      assertThat(Reflect.callString(first, "modelName")).isEqualTo("first");
      assertThat(Reflect.callString(second, "modelName")).isEqualTo("second");
      assertThat(Reflect.callLong(first, "statusCode")).isEqualTo(200L);
      assertThat(Reflect.callLong(second, "statusCode")).isEqualTo(429L);
    }
  }

  @Test
  void aNameBuiltAtRunTimeFindsTheSameMethodAsTheLiteral() {
    String built = new StringBuilder("model").append("Name").toString();
    assertThat(built).isNotSameAs("modelName");
    assertThat(Reflect.callString(new First(), "modelName")).isEqualTo("first");
    assertThat(Reflect.callString(new First(), built)).isEqualTo("first");
    assertThat(Reflect.callString(new Second(), built)).isEqualTo("second");
  }

  @Test
  void absentMethodsThrowingMethodsAndNullTargetsGiveNull() {
    assertThat(Reflect.call(new First(), "noSuchMethod")).isNull();
    assertThat(Reflect.call(new First(), "noSuchMethod")).isNull(); // from a table this time
    assertThat(Reflect.call(new Second(), "broken")).isNull();
    assertThat(Reflect.call(null, "modelName")).isNull();
    assertThat(Reflect.callString(new First(), "statusCode")).isNull(); // not a String
    assertThat(Reflect.callLong(new First(), "modelName")).isNull(); // not a number
  }

  @Test
  void moreClassesAndNamesThanSlotsStillAnswerRight() {
    // hidden-class-free way to get many classes: lambdas' classes, each a distinct Class
    List<Supplier<String>> suppliers = new ArrayList<>();
    suppliers.add(() -> "a");
    suppliers.add(() -> "b");
    suppliers.add(() -> "c");
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 2_000; i++) {
        // 2,000 names a class: far more pairs than the tables have slots
        String name = "missing" + i;
        assertThat(Reflect.call(new Numbered(i), name)).isNull();
        assertThat(Reflect.callString(new Numbered(i), "modelName")).isEqualTo("n" + i);
      }
      for (Supplier<String> s : suppliers) {
        assertThat(Reflect.callString(s, "get")).isEqualTo(s.get());
      }
      System.gc(); // clears the slots' weak entries (or not: the answers must not depend on it)
    }
  }

  @Test
  void isInstanceAnswersByTheWholeHierarchyForEachClass() {
    assertThat(Reflect.isInstance(new ArrayList<>(), "java.util.List")).isTrue();
    assertThat(Reflect.isInstance(new ArrayList<>(), "java.util.Collection")).isTrue();
    assertThat(Reflect.isInstance(new ArrayList<>(), "java.util.Map")).isFalse();
    for (int i = 0; i < 1_000; i++) {
      assertThat(Reflect.isInstance(new java.util.HashMap<>(), "java.util.Map")).isTrue();
      assertThat(Reflect.isInstance(new ArrayList<>(), "java.util.Map")).isFalse();
      assertThat(Reflect.isInstance(new IllegalStateException(), "java.lang.RuntimeException"))
          .isTrue();
    }
    assertThat(Reflect.isInstance(null, "java.util.List")).isFalse();
  }
}
