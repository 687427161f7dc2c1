package io.flowcost.agent;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only fault injection: {@code flowcost.testing.break-instrumentation=<kind>[,<kind>]|all}
 * makes the helpers of the named instrumentations throw at every entry, so tests can prove that a
 * broken instrumentation never changes what the application does.
 *
 * <p>Kinds: {@value #KINDS}. Each helper calls {@link #check} first inside its own {@code try}; the
 * {@code catch} there counts and logs the failure once ({@link AgentLog#failure}). Unset — the
 * normal case — {@link #check} is one volatile read.
 */
public final class BrokenInstrumentation {

  /** The instrumentations that can be broken, comma-separated. */
  public static final String KINDS = "chat,streaming,tool,aiservice,http-langchain4j,embedding,retrieval";

  private static volatile Set<String> broken = Collections.emptySet();
  private static final AtomicLong INJECTED = new AtomicLong();

  private BrokenInstrumentation() {}

  /** Parses the setting: {@code null}/blank is none, {@code all} every kind; unknown kinds are kept. */
  public static Set<String> parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return Collections.emptySet();
    }
    Set<String> kinds = new LinkedHashSet<>();
    for (String kind : setting.split(",")) {
      String k = kind.trim().toLowerCase(Locale.ROOT);
      if (k.equals("all")) {
        kinds.addAll(Set.of(KINDS.split(",")));
      } else if (!k.isEmpty()) {
        kinds.add(k);
      }
    }
    return Collections.unmodifiableSet(kinds);
  }

  /** Breaks the given kinds (replacing earlier ones); an empty set repairs everything. */
  public static void install(Set<String> kinds) {
    broken = Set.copyOf(kinds);
  }

  /** The kinds currently broken. */
  public static Set<String> kinds() {
    return broken;
  }

  /**
   * Throws {@link InjectedFailure} when {@code kind} is broken; otherwise does nothing.
   *
   * @throws InjectedFailure when the kind is broken
   */
  public static void check(String kind) {
    Set<String> b = broken;
    if (!b.isEmpty() && b.contains(kind)) {
      INJECTED.incrementAndGet();
      throw new InjectedFailure(kind);
    }
  }

  /** How many failures have been injected since start-up. */
  public static long injected() {
    return INJECTED.get();
  }

  /** The exception thrown by a broken helper; carries no stack trace (it is never printed). */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(String kind) {
      super("flowcost.testing.break-instrumentation=" + kind, null, false, false);
    }
  }
}
