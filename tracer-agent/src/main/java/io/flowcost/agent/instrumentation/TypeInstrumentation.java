package io.flowcost.agent.instrumentation;

import java.util.Objects;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One advice applied to the methods {@code methods} of the types {@code types}.
 *
 * <p>The advice is named, not referenced as a class: advice classes mention library types that the
 * bootstrap class loader (where the agent lives) cannot see, so ByteBuddy reads their bytes from
 * the agent jar and inlines them without ever loading them.
 *
 * @param types the instrumented types
 * @param methods the instrumented methods of those types
 * @param advice the fully qualified name of the advice class
 */
public record TypeInstrumentation(
    ElementMatcher<? super TypeDescription> types,
    ElementMatcher<? super MethodDescription> methods,
    String advice) {

  /** Checks that nothing is null. */
  public TypeInstrumentation {
    Objects.requireNonNull(types, "types");
    Objects.requireNonNull(methods, "methods");
    Objects.requireNonNull(advice, "advice");
  }
}
