package io.flowcost.agent.instrumentation;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One instrumented library: its name (the {@code <name>} of {@code
 * flowcost.instrumentation.<name>.enabled}), the classes whose presence in a class loader tells the
 * library is there ({@link LibraryCheck}), and its {@link TypeInstrumentation}s.
 *
 * <p>A unit lives in the package of its advice and names its advice by simple name ({@link
 * #advice}), so matchers and advice sit side by side. Subclasses build their list once, in their
 * constructor, with {@link #transform}; the result is immutable.
 */
public abstract class InstrumentationModule {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final String name;
  private final LibraryCheck libraryCheck;
  private final List<TypeInstrumentation> transforms = new ArrayList<>();
  private boolean frozen;

  /**
   * @param name lower-case words joined by {@code -}, e.g. {@code apache-httpclient-5}
   * @param libraryClasses fully qualified class names that must all be visible from a class loader
   *     for this unit to transform any of its classes; none for JDK classes (always present)
   */
  protected InstrumentationModule(String name, String... libraryClasses) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("instrumentation name must be lower-case words joined by '-'");
    }
    this.name = name;
    this.libraryCheck = new LibraryCheck(List.of(libraryClasses));
  }

  /** The unit's name, as in {@code flowcost.instrumentation.<name>.enabled}. */
  public final String name() {
    return name;
  }

  /** The setting that switches this unit off: {@code flowcost.instrumentation.<name>.enabled}. */
  public final String enabledSetting() {
    return settingName(name);
  }

  /** {@code flowcost.instrumentation.<name>.enabled}. */
  public static String settingName(String name) {
    return "flowcost.instrumentation." + name + ".enabled";
  }

  /** Rejects class loaders that cannot see this unit's library. */
  public final LibraryCheck libraryCheck() {
    return libraryCheck;
  }

  /** The advice this unit applies, in registration order; unmodifiable. */
  public final List<TypeInstrumentation> typeInstrumentations() {
    frozen = true;
    return List.copyOf(transforms);
  }

  /** Adds one advice; for subclass constructors only. */
  protected final void transform(
      ElementMatcher<? super TypeDescription> types,
      ElementMatcher<? super MethodDescription> methods,
      String advice) {
    if (frozen) {
      throw new IllegalStateException("instrumentation " + name + " is already in use");
    }
    transforms.add(new TypeInstrumentation(types, methods, advice));
  }

  /**
   * Called once, before the unit's advice is installed, when the unit is enabled: for what the JVM
   * must allow first (a module export). Does nothing unless overridden.
   */
  public void prepare(Instrumentation instrumentation) {}

  /** The fully qualified name of an advice class in this unit's own package. */
  protected final String advice(String simpleName) {
    return getClass().getPackageName() + "." + simpleName;
  }

  @Override
  public String toString() {
    return name;
  }
}
