package io.flowcost.agent.caps;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The caps settings: {@code flowcost.caps} (default for every workflow), {@code
 * flowcost.caps.<workflow-name>} (per name, read through the agent's one settings reader the first
 * time a workflow of that name opens) and {@code flowcost.caps.mode} ({@code warn} by default).
 *
 * <p>A malformed value never fails the application: each problem is reported once through the
 * problem sink (the agent logs it as one line naming the key) and the agent runs without that cap.
 */
public final class CapsSettings {

  /** Settings key of the default caps; {@code <key>.<name>} per workflow name. */
  public static final String KEY = "flowcost.caps";
  /** Settings key of the mode. */
  public static final String MODE_KEY = "flowcost.caps.mode";

  /** Per-name lookups remembered at most; beyond it names are re-read each time (still cheap). */
  private static final int MAX_NAMES = 1024;

  private final CapMode mode;
  private final Caps defaults;
  private final Function<String, String> lookup;
  private final Consumer<String> problems;
  private final Map<String, Caps> byName = new ConcurrentHashMap<>();

  private CapsSettings(
      CapMode mode, Caps defaults, Function<String, String> lookup, Consumer<String> problems) {
    this.mode = mode;
    this.defaults = defaults;
    this.lookup = lookup;
    this.problems = problems;
  }

  /**
   * Reads the caps settings.
   *
   * @param lookup the agent's settings reader: a setting's value by its property name, or {@code
   *     null}
   * @param problems receives one line per malformed entry
   */
  public static CapsSettings read(Function<String, String> lookup, Consumer<String> problems) {
    List<String> found = new ArrayList<>();
    CapMode mode = CapMode.WARN;
    String modeText = lookup.apply(MODE_KEY);
    if (modeText != null) {
      switch (modeText.trim().toLowerCase(Locale.ROOT)) {
        case "warn":
          break;
        case "enforce":
          mode = CapMode.ENFORCE;
          break;
        default:
          found.add(MODE_KEY + ": '" + Printable.of(modeText) + "' is not warn or enforce;"
              + " caps only warn");
      }
    }
    Caps defaults = Caps.parse(KEY, lookup.apply(KEY), found);
    found.forEach(problems);
    return new CapsSettings(mode, defaults, lookup, problems);
  }

  /** No caps at all (the agent's state before it is installed). */
  public static CapsSettings none() {
    return new CapsSettings(CapMode.WARN, Caps.NONE, name -> null, line -> {});
  }

  /** {@code warn} or {@code enforce}. */
  public CapMode mode() {
    return mode;
  }

  /** The default caps ({@code flowcost.caps}). */
  public Caps defaults() {
    return defaults;
  }

  /**
   * The caps of a workflow named {@code name}: the defaults, overridden by {@code
   * flowcost.caps.<name>}, overridden by {@code fromApi} (what the application set when it opened
   * the workflow, in the same syntax; may be {@code null}).
   */
  public Caps forWorkflow(String name, String fromApi) {
    Caps caps = defaults.overriddenBy(byName(name));
    if (fromApi != null && !fromApi.isBlank()) {
      List<String> found = new ArrayList<>();
      caps = caps.overriddenBy(Caps.parse("outcome-api caps of workflow '" + Printable.of(name) + "'",
          fromApi, found));
      found.forEach(problems);
    }
    return caps;
  }

  private Caps byName(String name) {
    if (name == null || name.isEmpty() || "mode".equals(name)) {
      return Caps.NONE;
    }
    Caps known = byName.get(name);
    if (known != null) {
      return known;
    }
    List<String> found = new ArrayList<>();
    String key = KEY + '.' + name;
    Caps caps = Caps.parse(Printable.of(key), lookup.apply(key), found);
    if (byName.size() < MAX_NAMES && byName.putIfAbsent(name, caps) == null) {
      found.forEach(problems); // once per name
    }
    return caps;
  }
}
