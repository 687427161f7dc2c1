package io.flowcost.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.methods.WorkflowMethod;
import io.flowcost.agent.methods.WorkflowMethodsInstrumentation;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.Test;

class TypeNamesTest {

  @Test
  void namedAndNameStartsWithBoundTheNames() {
    TypeNames exact = TypeNames.of(named("a.B"));
    assertThat(exact.isBounded()).isTrue();
    assertThat(exact.exact()).containsExactly("a.B");
    assertThat(exact.mayMatch("a.B")).isTrue();
    assertThat(exact.mayMatch("a.B$1")).isFalse();
    assertThat(exact.mayMatch("a.C")).isFalse();

    TypeNames prefix = TypeNames.of(nameStartsWith("dev.x."));
    assertThat(prefix.prefixes()).containsExactly("dev.x.");
    assertThat(prefix.mayMatch("dev.x.Model")).isTrue();
    assertThat(prefix.mayMatch("dev.y.Model")).isFalse();

    assertThat(TypeNames.of(namedOneOf("a.B", "a.C")).exact()).containsExactlyInAnyOrder("a.B", "a.C");
  }

  @Test
  void aConjunctionIsBoundedByEitherSideADisjunctionByBoth() {
    TypeNames and = TypeNames.of(not(isInterface()).and(nameStartsWith("dev.x."))
        .and(hasSuperType(named("dev.x.Model"))));
    assertThat(and.isBounded()).isTrue();
    assertThat(and.prefixes()).containsExactly("dev.x.");
    assertThat(and.exact()).isEmpty();

    TypeNames or = TypeNames.of(named("a.B").or(nameStartsWith("c.")));
    assertThat(or.exact()).containsExactly("a.B");
    assertThat(or.prefixes()).containsExactly("c.");
    assertThat(or.mayMatch("c.D")).isTrue();
    assertThat(or.mayMatch("b.D")).isFalse();
  }

  @Test
  void anythingElseIsUnboundedAndMayMatchEveryName() {
    ElementMatcher<TypeDescription> bySuperType = not(isInterface()).and(hasSuperType(named("x.I")));
    for (ElementMatcher<TypeDescription> m : List.of(bySuperType, ElementMatchers.<TypeDescription>isSynthetic(),
        named("a.B").or(bySuperType))) {
      TypeNames names = TypeNames.of(m);
      assertThat(names.isBounded()).as(m.toString()).isFalse();
      assertThat(names.mayMatch("any.Name")).isTrue();
    }
    assertThat(TypeNames.union(List.of(TypeNames.of(named("a.B")), TypeNames.of(bySuperType)))
        .isBounded()).isFalse();
  }

  @Test
  void theOutsideMatcherRejectsOnlyNamesNoMatcherNames() {
    ElementMatcher<TypeDescription> outside = TypeNames.of(named(String.class.getName())
        .or(nameStartsWith("java.util."))).outside();
    assertThat(outside.matches(TypeDescription.ForLoadedType.of(String.class))).isFalse();
    assertThat(outside.matches(TypeDescription.ForLoadedType.of(java.util.List.class))).isFalse();
    assertThat(outside.matches(TypeDescription.ForLoadedType.of(Integer.class))).isTrue();
  }

  /**
   * Every unit the agent installs by default names its types, so the shortcut is on; this also
   * fails if a ByteBuddy upgrade renames the fields {@link TypeNames} reads.
   */
  @Test
  void everyDefaultUnitIsBoundedByName() {
    List<String> unbounded = new ArrayList<>();
    for (InstrumentationModule module : Instrumentations.all()) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        if (!TypeNames.of(type.types()).isBounded()) {
          unbounded.add(module.name() + ": " + type.advice());
        }
      }
    }
    assertThat(unbounded).isEmpty();
  }

  @Test
  void workflowMethodsMatchBySuperTypeSoTheyTurnTheShortcutOff() {
    WorkflowMethodsInstrumentation unit =
        new WorkflowMethodsInstrumentation(List.of(new WorkflowMethod("com.acme.Agent", "run")));
    assertThat(unit.typeInstrumentations()).hasSize(1);
    assertThat(TypeNames.of(unit.typeInstrumentations().get(0).types()).isBounded()).isFalse();
  }
}
