package io.flowcost.agent.methods;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One entry of {@code flowcost.workflow.methods}: a class (or interface) by its binary name and a
 * method name; every overload, in the class and in its subtypes, is an entry point. The workflow
 * it opens is named {@code <SimpleName>.<method>} after the configured type.
 *
 * @param className binary name, e.g. {@code com.acme.Batch} or {@code com.acme.Outer$Job}
 * @param methodName e.g. {@code run}
 */
public record WorkflowMethod(String className, String methodName) {

  /** The setting's name. */
  public static final String SETTING = "flowcost.workflow.methods";

  private static final Pattern CLASS =
      Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
  private static final Pattern METHOD = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*");

  /** Checks the names. */
  public WorkflowMethod {
    if (className == null || !CLASS.matcher(className).matches()) {
      throw new IllegalArgumentException("not a class name");
    }
    if (methodName == null || !METHOD.matcher(methodName).matches()) {
      throw new IllegalArgumentException("not a method name");
    }
  }

  /** The workflow name: the configured type's simple name (after its last {@code .} or {@code $}), a dot, the method. */
  public String workflowName() {
    int cut = Math.max(className.lastIndexOf('.'), className.lastIndexOf('$'));
    return className.substring(cut + 1) + '.' + methodName;
  }

  /**
   * Parses {@code com.acme.Batch#run,com.acme.Listener#onMessage}: entries separated by commas,
   * blanks ignored, duplicates kept once. An entry that is not {@code Class#method} is reported to
   * {@code problems} by its position (never its text) and skipped; the others still apply.
   */
  public static List<WorkflowMethod> parse(String text, Consumer<String> problems) {
    List<WorkflowMethod> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return List.of();
    }
    String[] entries = text.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int hash = entry.indexOf('#');
      try {
        if (hash < 0 || entry.indexOf('#', hash + 1) >= 0) {
          throw new IllegalArgumentException("no single #");
        }
        WorkflowMethod m =
            new WorkflowMethod(entry.substring(0, hash).trim(), entry.substring(hash + 1).trim());
        if (!out.contains(m)) {
          out.add(m);
        }
      } catch (IllegalArgumentException e) {
        problems.accept(SETTING + ": entry " + (i + 1) + " is not Class#method (" + e.getMessage()
            + "); it is ignored");
      }
    }
    return List.copyOf(out);
  }
}
