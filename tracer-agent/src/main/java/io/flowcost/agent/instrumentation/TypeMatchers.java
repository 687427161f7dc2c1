package io.flowcost.agent.instrumentation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Type matchers that read no more of a class than its header (modifiers, super class, interface
 * names), for the units that match a library's classes by what they implement.
 *
 * <p>Why: ByteBuddy's {@code isInterface()} reads a type's modifiers and its {@code
 * hasSuperType(…)} walks generic super types, and either makes the agent's type pool parse the
 * whole class file (every field and method) of the class being loaded and of each of its super
 * types. With the pool reading headers first ({@link TypePoolCache}), these two answer from the
 * headers alone, so a class that turns out not to match (almost every class of a library's
 * packages) is never parsed further. They match exactly what {@code not(isInterface())} and
 * {@code hasSuperType(named(name))} match.
 */
public final class TypeMatchers {

  private TypeMatchers() {}

  /** Types that are not interfaces (annotation types are interfaces). */
  public static ElementMatcher.Junction<TypeDescription> notInterface() {
    return NotInterface.INSTANCE;
  }

  /**
   * Types that are, extend or implement, directly or not, the type named {@code name}: ByteBuddy's
   * {@code hasSuperType(named(name))}, walked over the erasures of the super types, by name.
   */
  public static ElementMatcher.Junction<TypeDescription> hasSuperTypeNamed(String name) {
    return new HasSuperTypeNamed(name);
  }

  private static final class NotInterface extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
    static final NotInterface INSTANCE = new NotInterface();

    @Override
    public boolean matches(TypeDescription type) {
      return type != null && !type.isInterface(); // not getModifiers(): that needs a full parse
    }

    @Override
    public String toString() {
      return "notInterface()";
    }
  }

  private static final class HasSuperTypeNamed
      extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
    private final String name;

    HasSuperTypeNamed(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public boolean matches(TypeDescription type) {
      if (type == null) {
        return false;
      }
      Set<String> seen = new HashSet<>();
      Deque<TypeDescription> next = new ArrayDeque<>();
      next.add(type);
      while (!next.isEmpty()) {
        TypeDescription current = next.poll();
        String currentName = current.getName();
        if (!seen.add(currentName)) {
          continue;
        }
        if (currentName.equals(name)) {
          return true;
        }
        TypeDescription.Generic superClass = current.getSuperClass();
        if (superClass != null) {
          next.add(superClass.asErasure());
        }
        for (TypeDefinition implemented : current.getInterfaces()) {
          next.add(implemented.asErasure());
        }
      }
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HasSuperTypeNamed h && name.equals(h.name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "hasSuperTypeNamed(" + name + ")";
    }
  }
}
