package io.flowcost.agent.instrumentation;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.NameMatcher;
import net.bytebuddy.matcher.StringMatcher;
import net.bytebuddy.matcher.StringSetMatcher;

/**
 * The class names a type matcher can match at most, read from the matcher itself: exact names and
 * name prefixes, or {@linkplain #isBounded() unbounded}. With every unit's names known, the agent
 * rejects a class that no unit names with one lookup by name, before ByteBuddy parses it or runs
 * any unit's matcher (most classes an application loads).
 *
 * <p>Only ByteBuddy's {@code named}, {@code namedOneOf} and {@code nameStartsWith} bound a matcher;
 * {@code a.and(b)} is bounded by either side, {@code a.or(b)} by both together; any other matcher
 * (e.g. {@code hasSuperType} alone) leaves it unbounded, which is always safe: an unbounded unit
 * only turns the shortcut off. The matchers' fields are ByteBuddy's private ones, read by
 * reflection; should a ByteBuddy version rename them, the names come out unbounded (never wrong),
 * and {@code TypeNamesTest} fails.
 */
public final class TypeNames {

  private static final TypeNames UNBOUNDED = new TypeNames(false, Set.of(), List.of());

  private final boolean bounded;
  private final Set<String> exact;
  private final List<String> prefixes;

  private TypeNames(boolean bounded, Set<String> exact, List<String> prefixes) {
    this.bounded = bounded;
    this.exact = Set.copyOf(exact);
    this.prefixes = List.copyOf(prefixes);
  }

  /** Every name: what a matcher not read as names is bounded by. */
  public static TypeNames unbounded() {
    return UNBOUNDED;
  }

  /** The names {@code matcher} can match at most. */
  public static TypeNames of(ElementMatcher<?> matcher) {
    try {
      return read(matcher);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return UNBOUNDED; // a matcher not understood: safe, only slower
    }
  }

  /** The union of {@code all}: unbounded if any is. */
  public static TypeNames union(Collection<TypeNames> all) {
    Set<String> exact = new HashSet<>();
    List<String> prefixes = new ArrayList<>();
    for (TypeNames names : all) {
      if (!names.bounded) {
        return UNBOUNDED;
      }
      exact.addAll(names.exact);
      prefixes.addAll(names.prefixes);
    }
    return new TypeNames(true, exact, prefixes);
  }

  /** Whether the matcher matches only the {@link #exact} names and the {@link #prefixes}. */
  public boolean isBounded() {
    return bounded;
  }

  /** Names matched exactly; empty when unbounded. */
  public Set<String> exact() {
    return exact;
  }

  /** Name prefixes; empty when unbounded. */
  public List<String> prefixes() {
    return prefixes;
  }

  /** Whether {@code name} may be matched: always when unbounded. */
  public boolean mayMatch(String name) {
    if (!bounded || exact.contains(name)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** As a type matcher that rejects by name the types {@link #mayMatch} says cannot match. */
  public ElementMatcher.Junction<TypeDescription> outside() {
    return new ElementMatcher.Junction.AbstractBase<>() {
      @Override
      public boolean matches(TypeDescription type) {
        return !mayMatch(type.getName());
      }

      @Override
      public String toString() {
        return "outside(" + TypeNames.this + ")";
      }
    };
  }

  private static TypeNames read(ElementMatcher<?> matcher) throws ReflectiveOperationException {
    if (matcher instanceof NameMatcher<?>) {
      Object strings = field(NameMatcher.class, "matcher").get(matcher);
      if (strings instanceof StringMatcher s) {
        String value = (String) field(StringMatcher.class, "value").get(s);
        Object mode = field(StringMatcher.class, "mode").get(s);
        if (mode == StringMatcher.Mode.EQUALS_FULLY) {
          return new TypeNames(true, Set.of(value), List.of());
        }
        if (mode == StringMatcher.Mode.STARTS_WITH) {
          return new TypeNames(true, Set.of(), List.of(value));
        }
      } else if (strings instanceof StringSetMatcher s) {
        @SuppressWarnings("unchecked")
        Set<String> values = (Set<String>) field(StringSetMatcher.class, "values").get(s);
        return new TypeNames(true, values, List.of());
      }
      return UNBOUNDED;
    }
    if (matcher instanceof ElementMatcher.Junction.Conjunction<?>) {
      for (Object part : parts(ElementMatcher.Junction.Conjunction.class, matcher)) {
        TypeNames names = read((ElementMatcher<?>) part);
        if (names.bounded) {
          return names; // a conjunction matches no more than any of its parts
        }
      }
      return UNBOUNDED;
    }
    if (matcher instanceof ElementMatcher.Junction.Disjunction<?>) {
      List<TypeNames> all = new ArrayList<>();
      for (Object part : parts(ElementMatcher.Junction.Disjunction.class, matcher)) {
        all.add(read((ElementMatcher<?>) part));
      }
      return union(all);
    }
    return UNBOUNDED;
  }

  private static List<?> parts(Class<?> junction, Object matcher) throws ReflectiveOperationException {
    return (List<?>) field(junction, "matchers").get(matcher);
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypeNames t && bounded == t.bounded && exact.equals(t.exact)
        && prefixes.equals(t.prefixes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bounded, exact, prefixes);
  }

  @Override
  public String toString() {
    return bounded ? "TypeNames" + exact + prefixes : "TypeNames(unbounded)";
  }
}
