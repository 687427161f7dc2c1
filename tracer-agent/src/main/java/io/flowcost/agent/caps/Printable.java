package io.flowcost.agent.caps;

/** Makes a configured or application-supplied name safe for one log line. */
public final class Printable {

  private Printable() {}

  /** {@code s} with control and line-breaking characters as {@code \\uXXXX}, cut at 200 chars. */
  public static String of(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200) + 8);
    for (int i = 0; i < s.length(); i++) {
      if (i == 200) {
        b.append('…');
        break;
      }
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
          || c == '\\' || c == '\'') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
