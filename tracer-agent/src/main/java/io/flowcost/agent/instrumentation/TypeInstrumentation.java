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
 * <p>An exit advice that reads no argument (only {@code @Advice.Enter}, {@code @Advice.Return},
 * {@code @Advice.Thrown}) declares {@code backupArguments = false}. Why: by default ByteBuddy copies
 * every argument (and {@code this}) to new local slots before the method body and rewrites the body
 * to use them, so each one-byte {@code aload_1} becomes a two-byte {@code aload 7}: the instrumented
 * method grows by far more than the advice's calls, and a hot JDK method pushed past the JIT's
 * inlining limit (325 bytes) is then called, not inlined, by its callers ({@code
 * HttpClientImpl.sendAsync}: 231 bytes without the agent, 368 with the copies, 288 without).
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
