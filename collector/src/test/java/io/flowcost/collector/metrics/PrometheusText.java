package io.flowcost.collector.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus text exposition format 0.0.4, for tests: every line is a
 * {@code # HELP}, a {@code # TYPE} or a sample of a family whose TYPE came before; names and
 * label names match the format's grammar; label values use only the three escapes; no series
 * appears twice. Anything else throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {

  /** One sample. {@code text} is the value exactly as written. */
  public record Sample(String name, Map<String, String> labels, double value, String text) {
    /** The value as an exact decimal (for values written as decimals). */
    public BigDecimal decimal() {
      return new BigDecimal(text);
    }
  }

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PrometheusText(List<Sample> samples, Map<String, String> types) {
    this.samples = samples;
    this.types = types;
  }

  /** Parses {@code text}, or throws naming the first bad line. */
  public static PrometheusText parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("exposition must end with a line feed");
    }
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> helped = new HashSet<>();
    Set<String> series = new HashSet<>();
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (line.startsWith("# HELP ")) {
          String rest = line.substring(7);
          String name = rest.split(" ", 2)[0];
          name(name);
          if (!helped.add(name)) {
            throw new IllegalArgumentException("second HELP for " + name);
          }
        } else if (line.startsWith("# TYPE ")) {
          String[] parts = line.substring(7).split(" ");
          if (parts.length != 2 || !Set.of("counter", "gauge", "histogram", "summary", "untyped")
              .contains(parts[1])) {
            throw new IllegalArgumentException("bad TYPE line");
          }
          name(parts[0]);
          if (types.put(parts[0], parts[1]) != null) {
            throw new IllegalArgumentException("second TYPE for " + parts[0]);
          }
        } else if (line.startsWith("#")) {
          continue; // a comment
        } else {
          Sample s = sample(line);
          if (!types.containsKey(s.name())) {
            throw new IllegalArgumentException("sample of a family without TYPE: " + s.name());
          }
          if (!series.add(s.name() + s.labels())) {
            throw new IllegalArgumentException("series appears twice: " + s.name() + s.labels());
          }
          samples.add(s);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage() + ": " + line, e);
      }
    }
    return new PrometheusText(samples, types);
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = name(line.substring(0, i));
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches()) {
          throw new IllegalArgumentException("bad label name " + label);
        }
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label value not quoted");
        }
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        while (true) {
          char c = line.charAt(j);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            char n = line.charAt(j + 1);
            switch (n) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> throw new IllegalArgumentException("bad escape \\" + n);
            }
            j += 2;
          } else {
            v.append(c);
            j++;
          }
        }
        if (labels.put(label, v.toString()) != null) {
          throw new IllegalArgumentException("label twice: " + label);
        }
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected , or }");
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("expected a space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("expected a value and an optional timestamp");
    }
    String text = rest[0];
    double value = switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    return new Sample(name, labels, value, text);
  }

  private static String name(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name " + name);
    }
    return name;
  }

  /** Every sample, in order. */
  public List<Sample> samples() {
    return samples;
  }

  /** Every family's declared type, by name. */
  public Map<String, String> types() {
    return types;
  }

  /** Samples of one family. */
  public List<Sample> family(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** Sum of one family's values as exact decimals. */
  public BigDecimal sum(String name) {
    return family(name).stream().map(Sample::decimal).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /** Sum of one family's samples whose labels include {@code match}. */
  public BigDecimal sum(String name, Map<String, String> match) {
    return family(name).stream()
        .filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
        .map(Sample::decimal).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /** Distinct values of one label in one family. */
  public Set<String> labelValues(String name, String label) {
    Set<String> out = new HashSet<>();
    for (Sample s : family(name)) {
      out.add(s.labels().get(label));
    }
    return out;
  }

  /** Values of one family keyed by one label's value. */
  public Map<String, Double> byLabel(String name, String label) {
    Map<String, Double> out = new HashMap<>();
    for (Sample s : family(name)) {
      out.merge(s.labels().get(label), s.value(), Double::sum);
    }
    return out;
  }
}
