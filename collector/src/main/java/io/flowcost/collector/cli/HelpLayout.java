package io.flowcost.collector.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Wraps {@code --help} at spaces only. picocli wraps with the JDK's line break rules, which break
 * inside {@code ./flowcost-lake}, {@code java.io.tmpdir} and {@code http://127.0.0.1:9000}; here
 * picocli lays every section out on one long line and this class wraps it at spaces, indenting
 * continuation lines under the text column they belong to.
 */
final class HelpLayout {

  /** Width of the help text, picocli's default. */
  static final int WIDTH = 80;

  /** Wide enough that picocli never wraps a section itself. */
  private static final int UNWRAPPED = 2000;

  /** A row of a two-column table: leading blanks, a first column, two or more blanks, text. */
  private static final Pattern ROW = Pattern.compile("^( +\\S.*?  +)(\\S.*)$");

  private HelpLayout() {}

  /** Applies the layout to {@code cli} and all its sub-commands. */
  static CommandLine install(CommandLine cli) {
    cli.setUsageHelpWidth(UNWRAPPED);
    var sections = new java.util.LinkedHashMap<>(cli.getHelpSectionMap());
    sections.replaceAll((key, renderer) -> {
      if (key.equals(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS)) {
        // the synopsis follows the "Usage: " heading, which is a section of its own
        return help -> wrap("Usage: " + renderer.render(help), WIDTH).substring("Usage: ".length());
      }
      return help -> wrap(renderer.render(help), WIDTH);
    });
    cli.setHelpSectionMap(sections);
    return cli;
  }

  /** Wraps every line of {@code text} longer than {@code width} at spaces. */
  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder(text.length() + 64);
    String[] lines = text.split("\n", -1);
    int column = textColumn(lines);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append('\n');
      }
      out.append(wrapLine(lines[i], width, column));
    }
    return out.toString();
  }

  /**
   * The text column of a two-column table (the option list): where most rows' second column
   * starts; -1 when {@code lines} hold no table. A row whose first column fills its width has a
   * single blank before the text, so the column is taken from the other rows.
   */
  private static int textColumn(String[] lines) {
    java.util.Map<Integer, Integer> starts = new java.util.HashMap<>();
    for (String line : lines) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        starts.merge(row.start(2), 1, Integer::sum);
      }
    }
    return starts.entrySet().stream().max(java.util.Map.Entry.comparingByValue())
        .map(java.util.Map.Entry::getKey).orElse(-1);
  }

  private static String wrapLine(String line, int width, int column) {
    if (line.length() <= width) {
      return line;
    }
    String stripped = line.stripTrailing();
    if (stripped.length() <= width) {
      return stripped;
    }
    int start;
    int indent;
    // the leading part (blanks and a table row's first column) is kept as it is
    Matcher row = ROW.matcher(stripped);
    if (stripped.startsWith("Usage: ")) {
      start = prefixEnd(stripped);
      indent = start;
    } else if (column > 0 && stripped.length() > column && stripped.charAt(column - 1) == ' '
        && !stripped.substring(0, column).isBlank()
        && stripped.substring(0, column).stripLeading().startsWith("-")) {
      start = column;
      indent = column + 2;
    } else if (row.matches()) {
      start = row.start(2);
      indent = start + 2;
    } else {
      start = leadingBlanks(stripped);
      indent = start == 0 ? 0 : start + 2;
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    current.append(stripped, 0, start);
    boolean firstWord = true;
    for (String word : stripped.substring(start).split(" +")) {
      if (word.isEmpty()) {
        continue;
      }
      boolean fits = current.length() + (firstWord ? 0 : 1) + word.length() <= width;
      if (!firstWord && !fits) {
        out.add(current.toString());
        current.setLength(0);
        current.append(" ".repeat(indent));
        firstWord = true;
      }
      if (!firstWord) {
        current.append(' ');
      }
      current.append(word);
      firstWord = false;
    }
    out.add(current.toString());
    return String.join("\n", out);
  }

  /** End of "Usage: flowcost-collector serve " (the command words before the first option). */
  private static int prefixEnd(String line) {
    int bracket = line.indexOf(" [");
    return bracket < 0 ? "Usage: ".length() : bracket + 1;
  }

  private static int leadingBlanks(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
