package io.flowcost.agent.instrumentation;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches the class loaders that can see every one of a library's marker classes. Checked once a
 * type's name has passed the unit's type matcher (names are cheaper to compare than a loader to
 * look up), before anything else of the type is read, so nothing of a library absent from a class
 * loader is ever matched further or transformed.
 *
 * <p>Looks for the class file as a resource (it never loads the class); the answer is cached per
 * class loader, weakly, so loaders can still be collected. The bootstrap loader ({@code null}) is
 * looked up through the platform loader, which delegates to it.
 */
public final class LibraryCheck implements ElementMatcher<ClassLoader> {

  private final List<String> resources;
  private final Map<ClassLoader, Boolean> cache = Collections.synchronizedMap(new WeakHashMap<>());

  /** @param classNames fully qualified names; none matches every loader */
  public LibraryCheck(List<String> classNames) {
    this.resources = classNames.stream().map(n -> n.replace('.', '/') + ".class").toList();
  }

  @Override
  public boolean matches(ClassLoader loader) {
    if (resources.isEmpty()) {
      return true;
    }
    ClassLoader lookup = loader != null ? loader : ClassLoader.getPlatformClassLoader();
    Boolean known = cache.get(lookup);
    if (known == null) {
      known = resources.stream().allMatch(r -> visible(lookup, r));
      cache.put(lookup, known);
    }
    return known;
  }

  private static boolean visible(ClassLoader loader, String resource) {
    try {
      return loader.getResource(resource) != null;
    } catch (RuntimeException e) {
      return false; // a loader that cannot answer is treated as one without the library
    }
  }

  /** Whether this check names a library (a unit with none applies to every loader). */
  public boolean namesLibrary() {
    return !resources.isEmpty();
  }

  @Override
  public String toString() {
    return "LibraryCheck" + resources;
  }
}
