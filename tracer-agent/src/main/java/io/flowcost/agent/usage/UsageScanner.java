package io.flowcost.agent.usage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@link UsageField}s of one JSON document straight from its bytes (UTF-8) or from a
 * {@code String}: a single pass over the input with no parser object, no token objects and no map.
 * Every other value (message text, embedding vectors, tool arguments) is skipped byte by byte;
 * answer text is kept as a position in the input and decoded only when it is wanted.
 *
 * <p>It accepts exactly the documents the agent's earlier Jackson reader accepted, with the same
 * values: strict RFC 8259 JSON (no comments, no trailing commas, no leading zeros, no unescaped
 * control characters, only {@code \"\\/bfnrtu} escapes), UTF-8 checked and decoded as Jackson
 * does, nesting up to {@value #MAX_DEPTH} levels, numbers up to {@value #MAX_NUMBER_CHARS}
 * characters, field names up to {@value #MAX_NAME_CHARS}; what follows the root value is not
 * read. A document that breaks any of these yields nothing ({@link #scan} returns {@code false}).
 * Bytes in UTF-16 or UTF-32 (detected as Jackson does: a byte-order mark or zero bytes among the
 * first four) are decoded to a {@code String} first: the one case that copies the body.
 * {@code UsageScannerDifferentialTest} holds it to the old reader on every fixture and on fuzzed
 * variants.
 *
 * <p>One instance per thread ({@link #get()}), reused: not thread-safe, not reentrant. What it
 * found stays readable until the next {@link #scan}.
 */
final class UsageScanner {

  static final int MAX_DEPTH = 1000;
  static final int MAX_NUMBER_CHARS = 1000;
  static final int MAX_NAME_CHARS = 50_000;

  private static final ThreadLocal<UsageScanner> PER_THREAD =
      ThreadLocal.withInitial(UsageScanner::new);

  /** The scanner of the calling thread. */
  static UsageScanner get() {
    Thread current = Thread.currentThread();
    if (current instanceof ScanningThread) {
      return ((ScanningThread) current).scanner();
    }
    return PER_THREAD.get();
  }

  /** A new scanner, for one thread ({@link ScanningThread}). */
  static UsageScanner create() {
    return new UsageScanner();
  }

  /** Thrown (one shared instance, no stack trace) when the input is not JSON. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed() {
      super("not JSON", null, false, false);
    }
  }

  private static final Malformed MALFORMED = new Malformed();

  // --- the tree of wanted paths ---

  /** Which tool-call wire a root-level item array belongs to. */
  static final int ITEMS_ANTHROPIC = 1;
  static final int ITEMS_RESPONSES = 2;

  private static final int ROLE_TYPE = 1;
  private static final int ROLE_ID = 2;
  private static final int ROLE_NAME = 3;

  /**
   * One position in a document: a field of an object or any element of an array. Children are
   * looked up by comparing the name's bytes, never through a {@code String}.
   */
  private static final class Node {
    String[] names = new String[0];
    Node[] children = new Node[0];
    Node element;
    /** The field kept here, or {@code null}. */
    UsageField field;
    /** 0 bare, 1 under {@code message.}, 2 under {@code response.}. */
    int rank;
    /** This array's elements are tool-call items ({@link #ITEMS_ANTHROPIC} …), or 0. */
    int items;
    /** Inside such an item: which of its type / id / name this field is, or 0. */
    int role;

    /**
     * {@link #names}' indexes by {@link #key} (length, first and last character), open addressing,
     * -1 empty: a field name read as plain ASCII is looked up with one probe (usually) and one
     * comparison instead of being compared with each of a node's names — the root has dozens, and
     * those comparisons were a third of a scan's time. Built by {@link #index()}.
     */
    int[] table = {-1};
    /** {@link #names} as ASCII bytes ({@code null} for a name that is not ASCII). */
    byte[][] ascii = new byte[0][];
    /** Each name's first eight bytes as a little-endian word (zeros past its end). */
    long[] words = new long[0];
    /** The bytes of {@link #words} a name fills: all ones for a name of eight bytes or more. */
    long[] masks = new long[0];

    Node child(String name) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return children[i];
        }
      }
      names = Arrays.copyOf(names, names.length + 1);
      children = Arrays.copyOf(children, children.length + 1);
      names[names.length - 1] = name;
      return children[children.length - 1] = new Node();
    }

    /** Builds {@link #table} here and below: once, after the tree is complete. */
    void index() {
      int size = Integer.highestOneBit(Math.max(1, names.length) * 4 - 1) << 1;
      table = new int[size];
      Arrays.fill(table, -1);
      ascii = new byte[names.length][];
      words = new long[names.length];
      masks = new long[names.length];
      for (int i = 0; i < names.length; i++) {
        String name = names[i];
        if (name.isEmpty() || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
          throw new IllegalStateException("a wanted field name must be ASCII: " + name);
        }
        ascii[i] = name.getBytes(StandardCharsets.US_ASCII);
        for (int k = 0; k < Math.min(8, ascii[i].length); k++) {
          words[i] |= (ascii[i][k] & 0xFFL) << (8 * k);
          masks[i] |= 0xFFL << (8 * k);
        }
        int slot = key(name.length(), name.charAt(0), name.charAt(name.length() - 1))
            & (size - 1);
        while (table[slot] >= 0) {
          slot = (slot + 1) & (size - 1);
        }
        table[slot] = i;
        children[i].index();
      }
      if (element != null) {
        element.index();
      }
    }

    Node elementNode() {
      return element == null ? element = new Node() : element;
    }

    boolean hasFields() {
      return names.length > 0;
    }

    boolean wanted() {
      return names.length > 0 || element != null || field != null || role != 0;
    }
  }

  private static final Node ROOT = new Node();

  static {
    for (UsageField f : UsageField.ALL) {
      add(f.path, f, 0);
      if (f.wrapped()) {
        for (int w = 0; w < UsageField.WRAPPERS.length; w++) {
          add(UsageField.WRAPPERS[w] + f.path, f, w + 1);
        }
      }
    }
    // a whole answer's tool calls when they are not OpenAI Chat's or Bedrock's: the items of the
    // top-level arrays Anthropic's content and OpenAI Responses' output ({@link ToolWire})
    items("content", ITEMS_ANTHROPIC, "id");
    items("output", ITEMS_RESPONSES, "call_id");
    ROOT.index();
  }

  private static Node node(String path) {
    Node node = ROOT;
    for (String step : path.split("\\.")) {
      int arrays = 0;
      while (step.endsWith("[]")) {
        step = step.substring(0, step.length() - 2);
        arrays++;
      }
      node = node.child(step);
      for (; arrays > 0; arrays--) {
        node = node.elementNode();
      }
    }
    return node;
  }

  private static void add(String path, UsageField field, int rank) {
    Node node = node(path);
    node.field = field;
    node.rank = rank;
  }

  private static void items(String array, int wire, String idField) {
    Node element = ROOT.child(array).elementNode();
    element.items = wire;
    element.child("type").role = ROLE_TYPE;
    element.child(idField).role = ROLE_ID;
    element.child("name").role = ROLE_NAME;
  }

  /**
   * Fields whose text repeats from response to response (model, object type, finish reasons,
   * service tier, tool names): the last value read is kept per field and returned again when the
   * same text comes, instead of a new {@code String}. Ids are not kept.
   */
  private static final Set<UsageField> NOT_REMEMBERED = EnumSet.of(UsageField.ID,
      UsageField.RESPONSE_ID, UsageField.WHOLE_TOOL_CALL_ID, UsageField.DELTA_TOOL_CALL_ID,
      UsageField.ITEM_CALL_ID, UsageField.BLOCK_ID, UsageField.BEDROCK_TOOL_USE_ID,
      UsageField.BEDROCK_STREAM_TOOL_USE_ID, UsageField.COST);

  private static final String[] LAST = new String[UsageField.ALL.length];

  /** The ids (and Bedrock's names) of a whole answer's tool calls: see {@link #toolCallIds}. */
  private static final Set<UsageField> WHOLE_TOOL_CALLS = EnumSet.of(
      UsageField.WHOLE_TOOL_CALL_ID, UsageField.BEDROCK_TOOL_USE_ID,
      UsageField.BEDROCK_TOOL_USE_NAME);

  /**
   * Whether the next scans keep a whole answer's tool-call ids ({@link #WHOLE_TOOL_CALLS}):
   * {@code false} for a reader that wants no tool calls ({@link UsageParser#parseWithoutToolCalls}),
   * so that no {@code String} and no list is made for them. Set around a scan by its reader.
   */
  boolean toolCallIds = true;

  // --- what one scan found ---

  /** Per field: its value (Long, String, Boolean, or a List of those for list fields). */
  final Object[] values = new Object[UsageField.ALL.length];

  /** Per field: 1 + the rank of the value kept (a wrapped value replaces a bare one), 0 = none. */
  private final byte[] ranks = new byte[UsageField.ALL.length];

  /** Whether any field of {@link UsageField} was present (text and identifiers included). */
  boolean found;

  /**
   * Text values in document order: field ordinal, start, end (exclusive), flags ({@link
   * #NON_STRING} for a number or boolean: present, but no text); 4 ints each.
   */
  private int[] texts = new int[32];

  private int textCount;

  /** Tool-call items of the wanted type: wire, id start, id end, id flags, name …; 7 ints each. */
  private int[] calls = new int[14];

  private int callCount;

  // the current item of a root-level item array
  private int itemWire;
  private int typeStart;
  private int typeEnd;
  private int typeFlags;
  private int idStart;
  private int idEnd;
  private int idFlags;
  private int nameStart;
  private int nameEnd;
  private int nameFlags;

  // --- the input ---

  private byte[] bytes;
  private String chars;
  private int pos;
  private int end;
  private boolean rootObject;
  private char[] buffer = new char[64];

  // flags of a string span
  private static final int PLAIN_ASCII = 0;
  private static final int NEEDS_DECODING = 1;
  private static final int BOOL_TRUE = 2;
  private static final int BOOL_FALSE = 3;
  private static final int NON_STRING = 4;

  private UsageScanner() {}

  /**
   * Reads one document; {@code false} when it is not JSON (nothing found then). A document whose
   * root is an array is read element by element, later elements' values replacing earlier ones
   * (lists appended).
   */
  boolean scan(byte[] input, int offset, int length) {
    reset();
    Charset other = otherEncoding(input, offset, length);
    if (other == UNSUPPORTED) {
      return false;
    }
    if (other != null) {
      return scan(new String(input, offset + bomLength(input, offset, length), length
          - bomLength(input, offset, length), other));
    }
    bytes = input;
    pos = offset;
    end = offset + length;
    if (length >= 3 && (input[offset] & 0xFF) == 0xEF && (input[offset + 1] & 0xFF) == 0xBB
        && (input[offset + 2] & 0xFF) == 0xBF) {
      pos += 3;
    }
    return run();
  }

  /** Same as {@link #scan(byte[], int, int)} for a decoded text. */
  boolean scan(String input) {
    reset();
    chars = input;
    pos = 0;
    end = input.length();
    return run();
  }

  private void reset() {
    if (found) {
      Arrays.fill(values, null);
      Arrays.fill(ranks, (byte) 0);
    }
    found = false;
    textCount = 0;
    callCount = 0;
    itemWire = 0;
    bytes = null;
    chars = null;
    rootObject = false;
  }

  private boolean run() {
    try {
      skipWs();
      if (pos >= end) {
        return true;
      }
      int c = at(pos);
      if (c == '{') {
        rootObject = true;
        object(ROOT, 1);
      } else if (c == '[') {
        pos++;
        skipWs();
        if (at(pos) == ']') {
          return true;
        }
        while (true) {
          if (at(pos) == '{') {
            object(ROOT, 2);
          } else {
            value(null, 1);
          }
          skipWs();
          int d = at(pos++);
          if (d == ']') {
            break;
          }
          if (d != ',') {
            throw MALFORMED;
          }
          skipWs();
        }
      }
      // a scalar root holds no field; what follows the root value is not read
      return true;
    } catch (Malformed | ArrayIndexOutOfBoundsException | StringIndexOutOfBoundsException e) {
      // out-of-bounds reads are the end of a truncated input
      reset();
      return false;
    }
  }

  private int at(int i) {
    if (i >= end) {
      throw MALFORMED;
    }
    return bytes != null ? bytes[i] & 0xFF : chars.charAt(i);
  }

  private void skipWs() {
    while (pos < end) {
      int c = bytes != null ? bytes[pos] & 0xFF : chars.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  /** The object at {@code pos} ('{'); {@code node} {@code null} to validate it only. */
  private void object(Node node, int depth) {
    if (depth > MAX_DEPTH) {
      throw MALFORMED;
    }
    pos++;
    skipWs();
    if (at(pos) == '}') {
      pos++;
      return;
    }
    while (true) {
      if (at(pos) != '"') {
        throw MALFORMED;
      }
      Node child = name(node);
      skipWs();
      if (at(pos++) != ':') {
        throw MALFORMED;
      }
      skipWs();
      value(child, depth);
      skipWs();
      int c = at(pos++);
      if (c == '}') {
        return;
      }
      if (c != ',') {
        throw MALFORMED;
      }
      skipWs();
    }
  }

  /** The value at {@code pos}; {@code depth} is that of the container holding it. */
  private void value(Node node, int depth) {
    int c = at(pos);
    switch (c) {
      case '{':
        object(node != null && node.hasFields() ? node : null, depth + 1);
        return;
      case '[':
        array(node == null ? null : node.element, depth + 1);
        return;
      case '"': {
        int start = pos + 1;
        int flags = string();
        if (node != null) {
          stringValue(node, start, pos - 1, flags);
        }
        return;
      }
      case 't':
        literal("true");
        if (node != null) {
          boolValue(node, true);
        }
        return;
      case 'f':
        literal("false");
        if (node != null) {
          boolValue(node, false);
        }
        return;
      case 'n':
        literal("null");
        return;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          number(node);
          return;
        }
        throw MALFORMED;
    }
  }

  private void array(Node element, int depth) {
    if (depth > MAX_DEPTH) {
      throw MALFORMED;
    }
    if (element != null && !element.wanted()) {
      element = null;
    }
    boolean items = element != null && element.items != 0 && rootObject;
    pos++;
    skipWs();
    if (at(pos) == ']') {
      pos++;
      return;
    }
    while (true) {
      if (items && at(pos) == '{') {
        startItem(element.items);
        value(element, depth);
        endItem();
      } else {
        value(element, depth);
      }
      skipWs();
      int c = at(pos++);
      if (c == ']') {
        return;
      }
      if (c != ',') {
        throw MALFORMED;
      }
      skipWs();
    }
  }

  private void literal(String word) {
    for (int i = 0; i < word.length(); i++) {
      if (at(pos + i) != word.charAt(i)) {
        throw MALFORMED;
      }
    }
    // what follows ("trueX") is checked by the container: only , ] } or white space may
    pos += word.length();
  }

  // --- strings ---

  /**
   * Skips the string at {@code pos} (its opening quote), checking it; leaves {@code pos} after the
   * closing quote. Returns {@link #NEEDS_DECODING} when it holds an escape or a non-ASCII
   * character, else {@link #PLAIN_ASCII}.
   */
  private int string() {
    pos++;
    int flags = PLAIN_ASCII;
    if (bytes != null) {
      byte[] b = bytes;
      while (true) {
        // eight bytes at a time up to the next byte that needs a look: most of a body is
        // strings (answer text, ids), and a byte-at-a-time loop was the largest part of a scan;
        // then straight to that byte (most strings, names above all, are shorter than eight
        // bytes: their closing quote is found in the first word, not by a byte loop)
        while (pos + 8 <= end) {
          long special = special((long) LONGS.get(b, pos));
          if (special != 0) {
            pos += Long.numberOfTrailingZeros(special) >>> 3;
            break;
          }
          pos += 8;
        }
        if (pos >= end) {
          throw MALFORMED;
        }
        int c = b[pos++] & 0xFF;
        if (c == '"') {
          return flags;
        }
        if (c == '\\') {
          flags = NEEDS_DECODING;
          escape();
        } else if (c < 0x20) {
          throw MALFORMED;
        } else if (c >= 0x80) {
          flags = NEEDS_DECODING;
          pos += continuation(c) ;
        }
      }
    }
    String s = chars;
    while (true) {
      if (pos >= end) {
        throw MALFORMED;
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return flags;
      }
      if (c == '\\') {
        flags = NEEDS_DECODING;
        escape();
      } else if (c < 0x20) {
        throw MALFORMED;
      }
    }
  }

  /** Eight bytes of a {@code byte[]} as one {@code long}, little-endian, at any offset. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Whether none of eight bytes ends a string's plain run: no {@code "}, no {@code \}, no
   * control character (below 0x20), no byte of a multi-byte UTF-8 sequence (0x80 and above).
   * With every byte below 0x80 (else {@code w}'s own high bits answer), subtracting a constant
   * from each byte sets that byte's high bit exactly when it is below the constant, and a borrow
   * reaches the next byte only from a byte that already answered: so the answer is exact.
   */
  static boolean plain(long w) {
    return special(w) == 0;
  }

  /**
   * The high bit of each of eight bytes that may end a string's plain run ({@link #plain}'s test
   * per byte); 0 when none does. The lowest bit set (the first byte, little-endian) is exact: a
   * byte is flagged falsely only through a borrow, and a borrow comes only from a lower byte that
   * is itself flagged rightly. So {@code numberOfTrailingZeros / 8} is the offset of the first
   * byte that needs a look; bytes flagged above it are not used.
   */
  static long special(long w) {
    return (w | (w - 0x20 * ONES) | ((w ^ ('"' * ONES)) - ONES) | ((w ^ ('\\' * ONES)) - ONES))
        & HIGH_BITS;
  }

  /**
   * Checks the continuation bytes of the UTF-8 sequence whose first byte {@code c} was just read
   * (at {@code pos - 1}); returns how many there are. Jackson's rules: the first byte's high bits
   * give the length (2 to 4), each continuation is {@code 10xxxxxx}; other first bytes are errors.
   */
  private int continuation(int c) {
    int needed;
    if ((c & 0xE0) == 0xC0) {
      needed = 1;
    } else if ((c & 0xF0) == 0xE0) {
      needed = 2;
    } else if ((c & 0xF8) == 0xF0) {
      needed = 3;
    } else {
      throw MALFORMED;
    }
    for (int i = 0; i < needed; i++) {
      if (pos + i >= end || (bytes[pos + i] & 0xC0) != 0x80) {
        throw MALFORMED;
      }
    }
    return needed;
  }

  /** Checks the escape after a backslash just read; leaves {@code pos} after it. */
  private void escape() {
    int c = at(pos++);
    switch (c) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
        return;
      case 'u':
        for (int i = 0; i < 4; i++) {
          if (hex(at(pos++)) < 0) {
            throw MALFORMED;
          }
        }
        return;
      default:
        throw MALFORMED;
    }
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * Decodes the checked string between {@code start} and {@code end} (exclusive, no quotes) into
   * {@link #buffer}; returns its length in chars, at most {@code max} (the rest not decoded).
   */
  private int decode(int start, int stop, int max) {
    int n = 0;
    int i = start;
    while (i < stop && n < max) {
      if (n + 2 > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, n + 2));
      }
      int c = bytes != null ? bytes[i++] & 0xFF : chars.charAt(i++);
      if (c == '\\') {
        int e = bytes != null ? bytes[i++] & 0xFF : chars.charAt(i++);
        switch (e) {
          case 'b' -> c = '\b';
          case 'f' -> c = '\f';
          case 'n' -> c = '\n';
          case 'r' -> c = '\r';
          case 't' -> c = '\t';
          case 'u' -> {
            c = 0;
            for (int k = 0; k < 4; k++) {
              c = (c << 4) | hex(bytes != null ? bytes[i++] & 0xFF : chars.charAt(i++));
            }
          }
          default -> c = e; // " \ /
        }
        buffer[n++] = (char) c;
      } else if (bytes != null && c >= 0x80) {
        // Jackson's decoding: no check for overlong forms or surrogates, as it did
        if ((c & 0xE0) == 0xC0) {
          buffer[n++] = (char) (((c & 0x1F) << 6) | (bytes[i++] & 0x3F));
        } else if ((c & 0xF0) == 0xE0) {
          c = ((c & 0x0F) << 12) | ((bytes[i++] & 0x3F) << 6);
          buffer[n++] = (char) (c | (bytes[i++] & 0x3F));
        } else {
          c = ((c & 0x07) << 6) | (bytes[i++] & 0x3F);
          c = (c << 6) | (bytes[i++] & 0x3F);
          c = ((c << 6) | (bytes[i++] & 0x3F)) - 0x10000;
          buffer[n++] = (char) (0xD800 | (c >> 10));
          if (n < max) {
            buffer[n++] = (char) (0xDC00 | (c & 0x3FF));
          }
        }
      } else {
        buffer[n++] = (char) c;
      }
    }
    return n;
  }

  /** The string between {@code start} and {@code end} (exclusive) of the input. */
  private String text(int start, int stop, int flags) {
    if (flags == BOOL_TRUE) {
      return "true";
    }
    if (flags == BOOL_FALSE) {
      return "false";
    }
    if (flags == PLAIN_ASCII) {
      return bytes != null
          ? new String(bytes, start, stop - start, StandardCharsets.ISO_8859_1)
          : chars.substring(start, stop);
    }
    int n = decode(start, stop, Integer.MAX_VALUE);
    return new String(buffer, 0, n);
  }

  /** Whether the string between {@code start} and {@code end} reads {@code expected}. */
  private boolean textEquals(int start, int stop, int flags, String expected) {
    if (flags == BOOL_TRUE || flags == BOOL_FALSE) {
      return expected.equals(flags == BOOL_TRUE ? "true" : "false");
    }
    if (flags == PLAIN_ASCII) {
      if (stop - start != expected.length()) {
        return false;
      }
      for (int i = 0; i < expected.length(); i++) {
        int c = bytes != null ? bytes[start + i] & 0xFF : chars.charAt(start + i);
        if (c != expected.charAt(i)) {
          return false;
        }
      }
      return true;
    }
    int n = decode(start, stop, expected.length() + 1);
    if (n != expected.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (buffer[i] != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Reads the field name at {@code pos}; returns the child of {@code node} it names, or null. */
  private Node name(Node node) {
    int start = pos + 1;
    int flags = string();
    int stop = pos - 1;
    if (stop - start > MAX_NAME_CHARS && nameLength(start, stop, flags) > MAX_NAME_CHARS) {
      throw MALFORMED;
    }
    if (node == null) {
      return null;
    }
    String[] names = node.names;
    if (flags == PLAIN_ASCII) {
      // the one candidate with this key, if any (names are unique in a node), compared in full
      int length = stop - start;
      if (length == 0) {
        return null; // no wanted name is empty
      }
      int[] table = node.table;
      int mask = table.length - 1;
      int slot = key(length, charAt(start), charAt(stop - 1)) & mask;
      for (int i; (i = table[slot]) >= 0; slot = (slot + 1) & mask) {
        if (bytes != null
            ? sameName(start, length, node, i)
            : textEquals(start, stop, PLAIN_ASCII, names[i])) {
          return node.children[i];
        }
      }
      return null;
    }
    for (int i = 0; i < names.length; i++) {
      if (textEquals(start, stop, flags, names[i])) {
        return node.children[i];
      }
    }
    return null;
  }

  /**
   * Whether the {@code length} plain bytes of the input from {@code start} are the name {@code i}
   * of {@code node}. Eight bytes at a time: the first word (masked to the name's length) against
   * the one worked out with the table, then whole words, the last one overlapping. Not {@code
   * Arrays.equals} of ranges: names are short (2 to 30 bytes, about 25 a body), and that call's
   * range checks and out-of-line mismatch search were 8 % of the hooks' CPU in a profile of
   * {@code InvocationPathBenchmark}; a byte loop was no better.
   */
  private boolean sameName(int start, int length, Node node, int i) {
    byte[] wanted = node.ascii[i];
    if (wanted.length != length) {
      return false;
    }
    byte[] b = bytes;
    int k = 0;
    if (start + 8 <= end) { // the document goes on past the name: a whole word can be read
      if ((((long) LONGS.get(b, start)) & node.masks[i]) != node.words[i]) {
        return false;
      }
      if (length <= 8) {
        return true;
      }
      for (k = 8; k + 8 <= length; k += 8) {
        if ((long) LONGS.get(b, start + k) != (long) LONGS.get(wanted, k)) {
          return false;
        }
      }
      return k == length
          || (long) LONGS.get(b, start + length - 8) == (long) LONGS.get(wanted, length - 8);
    }
    for (; k < length; k++) {
      if (b[start + k] != wanted[k]) {
        return false;
      }
    }
    return true;
  }

  /** A name's table key: its length, first and last character (see {@link Node#table}). */
  private static int key(int length, int first, int last) {
    return length * 31 + first * 7 + last;
  }

  /** The character (byte or char) at {@code i}, inside the input. */
  private int charAt(int i) {
    return bytes != null ? bytes[i] & 0xFF : chars.charAt(i);
  }

  private int nameLength(int start, int stop, int flags) {
    return flags == PLAIN_ASCII ? stop - start : decode(start, stop, Integer.MAX_VALUE);
  }

  // --- numbers ---

  private void number(Node node) {
    int start = pos;
    boolean negative = at(pos) == '-';
    if (negative) {
      pos++;
    }
    int first = at(pos);
    if (first < '0' || first > '9') {
      throw MALFORMED;
    }
    int intStart = pos;
    long value = 0;
    boolean overflow = false;
    if (first == '0') {
      pos++;
      if (pos < end && isDigit(at(pos))) {
        throw MALFORMED; // leading zero
      }
    } else {
      while (pos < end && isDigit(at(pos))) {
        int d = at(pos++) - '0';
        // accumulate negatively: Long.MIN_VALUE has no positive counterpart
        if (value < (Long.MIN_VALUE + d) / 10) {
          overflow = true;
        } else {
          value = value * 10 - d;
        }
      }
    }
    int intLength = pos - intStart;
    boolean floating = false;
    int fraction = 0;
    int exponent = 0;
    if (pos < end && at(pos) == '.') {
      floating = true;
      pos++;
      int digits = pos;
      while (pos < end && isDigit(at(pos))) {
        pos++;
      }
      fraction = pos - digits;
      if (fraction == 0) {
        throw MALFORMED;
      }
    }
    if (pos < end && (at(pos) == 'e' || at(pos) == 'E')) {
      floating = true;
      pos++;
      if (pos < end && (at(pos) == '+' || at(pos) == '-')) {
        pos++;
      }
      int digits = pos;
      while (pos < end && isDigit(at(pos))) {
        pos++;
      }
      exponent = pos - digits;
      if (exponent == 0) {
        throw MALFORMED;
      }
    }
    if (pos >= end) {
      throw MALFORMED; // a number cannot end the document inside a container
    }
    if (floating ? intLength + fraction + exponent > MAX_NUMBER_CHARS
        : intLength > MAX_NUMBER_CHARS) {
      throw MALFORMED;
    }
    if (node == null || node.field == null) {
      return;
    }
    UsageField field = node.field;
    if (!floating && !field.decimal() && (overflow || (!negative && value == Long.MIN_VALUE))) {
      throw MALFORMED; // beyond a long: the old reader failed the whole document too
    }
    if (field.text()) {
      addText(field, -1, -1, NON_STRING);
      return;
    }
    Object kept;
    if (field.decimal()) {
      kept = text(start, pos, PLAIN_ASCII); // the number exactly as written
    } else if (floating) {
      kept = (long) Double.parseDouble(text(start, pos, PLAIN_ASCII));
    } else {
      kept = negative ? value : -value;
    }
    store(node, kept);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  // --- keeping values ---

  private void stringValue(Node node, int start, int stop, int flags) {
    if (node.role != 0 && itemWire != 0) {
      item(node.role, start, stop, flags);
    }
    UsageField field = node.field;
    if (field == null) {
      return;
    }
    found = true;
    if (field.text()) {
      addText(field, start, stop, flags);
      return;
    }
    if (!toolCallIds && WHOLE_TOOL_CALLS.contains(field)) {
      return; // not wanted by this reader
    }
    store(node, remembered(field, start, stop, flags));
  }

  private void addText(UsageField field, int start, int stop, int flags) {
    found = true;
    int at = textCount * 4;
    if (!field.list) {
      // a scalar read again (a repeated name) replaces the earlier value
      for (int i = 0; i < textCount; i++) {
        if (texts[i * 4] == field.ordinal()) {
          at = i * 4;
          textCount--;
          break;
        }
      }
    }
    if (at + 4 > texts.length) {
      texts = Arrays.copyOf(texts, texts.length * 2);
    }
    texts[at] = field.ordinal();
    texts[at + 1] = start;
    texts[at + 2] = stop;
    texts[at + 3] = flags;
    textCount++;
  }

  private void boolValue(Node node, boolean value) {
    if (node.role != 0 && itemWire != 0) {
      item(node.role, -1, -1, value ? BOOL_TRUE : BOOL_FALSE);
    }
    UsageField field = node.field;
    if (field == null) {
      return;
    }
    found = true;
    if (field.text()) {
      addText(field, -1, -1, NON_STRING);
      return;
    }
    store(node, value);
  }

  /** The text of a string value, the same {@code String} as last time when it did not change. */
  private String remembered(UsageField field, int start, int stop, int flags) {
    boolean remember = !NOT_REMEMBERED.contains(field);
    if (remember) {
      String last = LAST[field.ordinal()];
      if (last != null && textEquals(start, stop, flags, last)) {
        return last;
      }
    }
    String s = text(start, stop, flags);
    if (remember) {
      LAST[field.ordinal()] = s;
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private void store(Node node, Object value) {
    UsageField field = node.field;
    int i = field.ordinal();
    int rank = node.rank + 1;
    found = true;
    if (rank < ranks[i]) {
      return; // a bare value where a wrapped one was read: the wrapped one stands
    }
    if (field.list) {
      List<Object> list = rank > ranks[i] ? null : (List<Object>) values[i];
      if (list == null) {
        list = new ArrayList<>(2);
        values[i] = list;
      }
      list.add(value);
    } else {
      values[i] = value;
    }
    ranks[i] = (byte) rank;
  }

  // --- tool-call items ---

  private void startItem(int wire) {
    itemWire = wire;
    typeStart = typeEnd = idStart = idEnd = nameStart = nameEnd = -1;
    typeFlags = idFlags = nameFlags = -1;
  }

  private void item(int role, int start, int stop, int flags) {
    switch (role) {
      case ROLE_TYPE -> {
        typeStart = start;
        typeEnd = stop;
        typeFlags = flags;
      }
      case ROLE_ID -> {
        idStart = start;
        idEnd = stop;
        idFlags = flags;
      }
      default -> {
        nameStart = start;
        nameEnd = stop;
        nameFlags = flags;
      }
    }
  }

  private void endItem() {
    int wire = itemWire;
    itemWire = 0;
    if (typeFlags < 0 || idFlags < 0 || nameFlags < 0) {
      return;
    }
    String wanted = wire == ITEMS_ANTHROPIC ? "tool_use" : "function_call";
    if (!textEquals(typeStart, typeEnd, typeFlags, wanted)) {
      return;
    }
    int at = callCount * 7;
    if (at + 7 > calls.length) {
      calls = Arrays.copyOf(calls, calls.length * 2);
    }
    calls[at] = wire;
    calls[at + 1] = idStart;
    calls[at + 2] = idEnd;
    calls[at + 3] = idFlags;
    calls[at + 4] = nameStart;
    calls[at + 5] = nameEnd;
    calls[at + 6] = nameFlags;
    callCount++;
  }

  /**
   * The tool calls of the root-level {@code content} ({@link #ITEMS_ANTHROPIC}: blocks of type
   * {@code tool_use}, {@code id}) or {@code output} ({@link #ITEMS_RESPONSES}: items of type {@code
   * function_call}, {@code call_id}) array, in order; only of a document whose root is an object.
   */
  List<ToolCallRef> itemCalls(int wire) {
    List<ToolCallRef> out = null;
    for (int i = 0; i < callCount; i++) {
      int at = i * 7;
      if (calls[at] == wire) {
        if (out == null) {
          out = new ArrayList<>(callCount);
        }
        out.add(new ToolCallRef(text(calls[at + 1], calls[at + 2], calls[at + 3]),
            text(calls[at + 4], calls[at + 5], calls[at + 6])));
      }
    }
    return out == null ? List.of() : out;
  }

  // --- text ---

  /** Whether any text field was present (with any value). */
  boolean anyText() {
    return textCount > 0;
  }

  /**
   * The values of a text field in document order (a {@code String}, or {@link Boolean#FALSE} for
   * a number or boolean), or {@code null} when it was absent.
   */
  List<Object> textValues(UsageField field) {
    List<Object> out = null;
    for (int i = 0; i < textCount; i++) {
      int at = i * 4;
      if (texts[at] == field.ordinal()) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        int flags = texts[at + 3];
        out.add(flags == NON_STRING ? Boolean.FALSE : text(texts[at + 1], texts[at + 2], flags));
      }
    }
    return out;
  }

  /** The last value of a text field if it is a string, else {@code null}. */
  String textValue(UsageField field) {
    for (int i = textCount - 1; i >= 0; i--) {
      int at = i * 4;
      if (texts[at] == field.ordinal()) {
        int flags = texts[at + 3];
        return flags == NON_STRING ? null : text(texts[at + 1], texts[at + 2], flags);
      }
    }
    return null;
  }

  /**
   * Appends the answer text read (field by field in {@link UsageField} order, each field's values
   * in document order) to {@code out}, up to {@code maxChars} in all.
   */
  void appendText(StringBuilder out, int maxChars) {
    if (textCount == 0) {
      return;
    }
    for (UsageField f : UsageField.ALL) {
      if (!f.text()) {
        continue;
      }
      for (int i = 0; i < textCount && out.length() < maxChars; i++) {
        int at = i * 4;
        if (texts[at] != f.ordinal()) {
          continue;
        }
        if (texts[at + 3] == NON_STRING) {
          continue;
        }
        int room = maxChars - out.length();
        int start = texts[at + 1];
        int stop = texts[at + 2];
        if (texts[at + 3] == PLAIN_ASCII) {
          int n = Math.min(stop - start, room);
          if (bytes != null) {
            for (int k = 0; k < n; k++) {
              out.append((char) (bytes[start + k] & 0xFF));
            }
          } else {
            out.append(chars, start, start + n);
          }
        } else {
          int n = decode(start, stop, room);
          out.append(buffer, 0, n);
        }
      }
    }
  }

  // --- encodings ---

  private static final Charset UNSUPPORTED = StandardCharsets.US_ASCII;

  /**
   * The encoding of bytes that are not UTF-8 as Jackson detects it (a byte-order mark, else zero
   * bytes among the first four), {@code null} for UTF-8, {@link #UNSUPPORTED} for the forms
   * Jackson refused (UCS-4 in odd byte orders).
   */
  private static Charset otherEncoding(byte[] b, int off, int len) {
    if (len >= 4) {
      int quad = ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16)
          | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
      switch (quad) {
        case 0x0000FEFF:
          return Charset.forName("UTF-32BE");
        case 0xFFFE0000:
          return Charset.forName("UTF-32LE");
        case 0x0000FFFE:
        case 0xFEFF0000:
          return UNSUPPORTED;
        default:
          break;
      }
      int msw = quad >>> 16;
      if (msw == 0xFEFF) {
        return StandardCharsets.UTF_16BE;
      }
      if (msw == 0xFFFE) {
        return StandardCharsets.UTF_16LE;
      }
      if ((quad >>> 8) == 0xEFBBBF) {
        return null;
      }
      if ((quad >> 8) == 0) {
        return Charset.forName("UTF-32BE");
      }
      if ((quad & 0x00FFFFFF) == 0) {
        return Charset.forName("UTF-32LE");
      }
      if ((quad & ~0x00FF0000) == 0 || (quad & ~0x0000FF00) == 0) {
        return UNSUPPORTED;
      }
      return utf16(msw);
    }
    if (len >= 2) {
      return utf16(((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF));
    }
    return null;
  }

  private static Charset utf16(int firstTwo) {
    if ((firstTwo & 0xFF00) == 0) {
      return StandardCharsets.UTF_16BE;
    }
    if ((firstTwo & 0x00FF) == 0) {
      return StandardCharsets.UTF_16LE;
    }
    return null;
  }

  private static int bomLength(byte[] b, int off, int len) {
    if (len >= 4) {
      int quad = ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16)
          | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
      if (quad == 0x0000FEFF || quad == 0xFFFE0000) {
        return 4;
      }
      if ((quad >>> 16) == 0xFEFF || (quad >>> 16) == 0xFFFE) {
        return 2;
      }
    }
    return 0;
  }
}
