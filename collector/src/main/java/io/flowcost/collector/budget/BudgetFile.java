package io.flowcost.collector.budget;

import io.flowcost.collector.SafeText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a budgets file ({@code serve --budgets FILE}, docs/budgets-and-alerts.md). One budget per
 * line, {@code #} starts a comment:
 *
 * <pre>
 * # TAG=VALUE        PERIOD  CAPS (USD)
 * team=payments      month   soft=800 hard=1000
 * customer=acme      day     hard=50
 * </pre>
 *
 * A line format rather than JSON: people write it by hand, and an error names its line. Any
 * mistake refuses the whole file (a budget silently dropped would let an owner overspend).
 */
public final class BudgetFile {

  private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
  private static final BigDecimal MAX_USD = new BigDecimal("1000000000");

  private BudgetFile() {}

  /** Reads and checks {@code file}; an {@link IllegalArgumentException} names the bad line. */
  public static List<Budget> load(Path file) throws IOException {
    return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** Parses lines of a budgets file called {@code name} (in messages). */
  public static List<Budget> parse(String name, List<String> lines) {
    List<Budget> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i);
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] words = line.split("\\s+");
      String where = name + " line " + lineNo + ": ";
      if (words.length < 3) {
        throw new IllegalArgumentException(where + "expected 'TAG=VALUE PERIOD soft=USD hard=USD'"
            + " (e.g. 'team=payments month soft=800 hard=1000'), got '"
            + SafeText.of(line, 200) + "'");
      }
      int eq = words[0].indexOf('=');
      if (eq <= 0 || eq == words[0].length() - 1) {
        throw new IllegalArgumentException(where + "the owner '" + SafeText.of(words[0], 200)
            + "' must be TAG=VALUE, e.g. team=payments");
      }
      String key = words[0].substring(0, eq);
      String value = words[0].substring(eq + 1);
      if (!TAG_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(where + "tag key '" + SafeText.of(key, 200)
            + "' must be 1-64 letters, digits, '_', '.' or '-'");
      }
      if (value.length() > 256) {
        throw new IllegalArgumentException(where + "tag value longer than 256 characters");
      }
      BudgetPeriod period = BudgetPeriod.parse(words[1]);
      if (period == null) {
        throw new IllegalArgumentException(where + "period '" + SafeText.of(words[1], 200)
            + "' must be 'day' or 'month' (UTC)");
      }
      BigDecimal soft = null;
      BigDecimal hard = null;
      for (int w = 2; w < words.length; w++) {
        String cap = words[w];
        int e = cap.indexOf('=');
        String capName = e < 0 ? cap : cap.substring(0, e);
        if (e < 0 || !(capName.equals("soft") || capName.equals("hard"))) {
          throw new IllegalArgumentException(where + "'" + SafeText.of(cap, 200)
              + "' must be soft=USD or hard=USD");
        }
        BigDecimal usd = usd(cap.substring(e + 1), where + capName);
        if (capName.equals("soft")) {
          if (soft != null) {
            throw new IllegalArgumentException(where + "soft cap given twice");
          }
          soft = usd;
        } else {
          if (hard != null) {
            throw new IllegalArgumentException(where + "hard cap given twice");
          }
          hard = usd;
        }
      }
      if (soft != null && hard != null && soft.compareTo(hard) > 0) {
        throw new IllegalArgumentException(where + "soft cap " + soft.toPlainString()
            + " is above hard cap " + hard.toPlainString());
      }
      String id = key + "\u0000" + value + "\u0000" + period;
      Integer earlier = seen.putIfAbsent(id, lineNo);
      if (earlier != null) {
        throw new IllegalArgumentException(where + "a " + period.label() + " budget for "
            + SafeText.of(key + "=" + value, 200) + " is already set on line " + earlier);
      }
      out.add(new Budget(key, value, period, soft, hard, lineNo));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(name + ": no budgets in file (expected lines like"
          + " 'team=payments month soft=800 hard=1000')");
    }
    return List.copyOf(out);
  }

  private static BigDecimal usd(String text, String what) {
    BigDecimal v;
    try {
      v = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + SafeText.of(text, 100)
          + "' is not a number of USD");
    }
    if (v.signum() <= 0 || v.compareTo(MAX_USD) > 0 || v.scale() > 9) {
      throw new IllegalArgumentException(what + " " + SafeText.of(text, 100)
          + " must be above 0, at most 1e9 USD, with at most 9 decimals");
    }
    return v;
  }
}
