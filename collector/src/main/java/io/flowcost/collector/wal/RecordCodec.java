package io.flowcost.collector.wal;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The explicit, versioned encoding of the records the collector persists (write-ahead log frames
 * and quarantine files). Unlike Java serialization it does not depend on class names or field
 * layout, so renaming or reshaping a record type cannot strand rows a previous release logged.
 *
 * <p>Format version 3 (version 2 without the response id and report flags, version 1 also
 * without {@code providerCostUsd}; both still read), all integers big-endian:
 * <pre>
 * frame    = version:u8 (1, 2 or 3) count:i32 record*count
 * record   = tag:u8 fields            ; 1 = call, 2 = workflow span, 3 = outcome,
 *                                      ; 4 = cap breach (version 2 frames only)
 * string?  = present:u8 [len:i32 bytes] ; Java's modified UTF-8 (UTF-8 for text without NUL
 *            and surrogates; each UTF-16 unit on its own otherwise)
 * instant? = present:u8 [epochSecond:i64 nano:i32]
 * decimal? = present:u8 [scale:i32 len:i32 unscaled-two's-complement-bytes]
 * int?     = present:u8 [i32]
 * long?    = present:u8 [i64]
 * bool     = u8 (0 or 1)
 * usage?   = present:u8 [input cacheRead cacheWrite cacheWrite1h output reasoning:i64
 *            estimated:bool serviceTier:string?]
 * map      = count:i32 (key:string? value:string?)*count, keys in ascending order
 * call     = workflowId callId spanId parentSpanId kind operation service provider requestModel
 *            responseModel:string? attempt:i32 status errorType:string? httpStatus:int?
 *            finishReason:string? streaming:bool usage? costUsd cacheSavingsGrossUsd
 *            cacheSavingsNetUsd:decimal? unpriced wasted:bool wasteCause toolName httpHost
 *            httpPath:string? startTime endTime:instant? catalogVersion priceKey:string?
 *            receivedAt:instant? providerCostUsd:decimal? (version 2 on)
 *            responseId:string? foreignSpan repeatedReport:bool (version 3 on)
 * wfspan   = workflowId spanId workflowName service source:string? startTime endTime:instant?
 *            error:bool errorType:string? tags:map externalKey conversationId userId:string?
 *            receivedAt:instant?
 * outcome  = outcomeId workflowId externalKey status reason:string? value:decimal?
 *            unit:string? reportedAt:instant? reportedAtGiven:bool receivedAt:instant?
 * breach   = workflowId spanId workflowName service capKind:string? capLimit spent:decimal?
 *            unit mode:string? enforced:bool modelCalls toolCalls:long? breachedAt
 *            receivedAt:instant?
 * </pre>
 *
 * <p>A later release that changes a record's layout writes a new version number and keeps
 * reading every earlier one; {@code WalFixtureTest} replays a segment written by this release to
 * hold it to that. A frame of an unknown version is refused with a message naming the version,
 * never guessed at.
 */
public final class RecordCodec {

  /** The version this release writes. */
  public static final int CURRENT_VERSION = 3;
  /** The oldest version this release still reads (1: calls without providerCostUsd). */
  public static final int OLDEST_READ_VERSION = 1;

  private static final int TAG_CALL = 1;
  private static final int TAG_WORKFLOW_SPAN = 2;
  private static final int TAG_OUTCOME = 3;
  private static final int TAG_CAP_BREACH = 4;
  /** First byte of a Java serialization stream (0xACED), written by releases before version 1. */
  private static final int JAVA_SERIALIZATION_MAGIC = 0xAC;

  private RecordCodec() {}

  /** Encodes {@code records} as one frame payload of the current version. */
  public static byte[] encode(List<? extends LakeRecord> records) {
    return payload(encodeEach(records), null);
  }

  /**
   * Records encoded one after another, each a slice of {@code bytes} ({@link #start} to {@link
   * #end}), so that a frame of any of them is a copy of their slices ({@link #payload}): the
   * collector encodes a request's rows on the request's thread, and its write-ahead log thread
   * only copies the rows that are new.
   *
   * @param records the records, in order
   * @param bytes their encodings, back to back
   * @param ends where each record's encoding ends in {@code bytes}
   */
  public record Encoded(List<? extends LakeRecord> records, byte[] bytes, int[] ends) {
    /** Where record {@code i}'s encoding starts. */
    public int start(int i) {
      return i == 0 ? 0 : ends[i - 1];
    }

    /** Where record {@code i}'s encoding ends. */
    public int end(int i) {
      return ends[i];
    }
  }

  /** Encodes each record of {@code records} (no frame header). */
  public static Encoded encodeEach(List<? extends LakeRecord> records) {
    // a model-call row is ~350 bytes (ids, names, usage, four decimals, three instants): sized
    // so a request's buffer is not copied while it grows
    Writer out = new Writer(384 * Math.max(1, records.size()));
    int[] ends = new int[records.size()];
    for (int i = 0; i < records.size(); i++) {
      write(out, records.get(i));
      ends[i] = out.pos;
    }
    return new Encoded(records, out.buf, ends);
  }

  /**
   * A frame payload of the current version holding the records {@code encoded} chose: all of
   * them when {@code chosen} is null, else those whose index {@code chosen} holds, in order.
   */
  public static byte[] payload(Encoded encoded, int[] chosen) {
    return payload(List.of(encoded), chosen == null ? null : List.of(chosen));
  }

  /**
   * A frame payload of the records chosen from several encodings (all of an encoding when its
   * entry of {@code chosen}, or {@code chosen} itself, is null), in order: {@link
   * #payloadPieces}' bytes in one array.
   */
  public static byte[] payload(List<Encoded> encodings, List<int[]> chosen) {
    ByteBuffer[] pieces = payloadPieces(encodings, chosen);
    int bytes = 0;
    for (ByteBuffer piece : pieces) {
      bytes += piece.remaining();
    }
    ByteBuffer out = ByteBuffer.allocate(bytes);
    for (ByteBuffer piece : pieces) {
      out.put(piece);
    }
    return out.array();
  }

  /**
   * The same payload as {@link #payload(List, List)}, as the pieces it is made of, in order,
   * without copying a record's bytes: a 5-byte header (version, record count), then for each
   * encoding a slice of its own array per run of consecutive chosen records (one slice for a
   * whole encoding). The write-ahead log writes these pieces with one gathering write.
   */
  public static ByteBuffer[] payloadPieces(List<Encoded> encodings, List<int[]> chosen) {
    List<ByteBuffer> pieces = new ArrayList<>(encodings.size() + 1);
    pieces.add(null); // the header, once the count is known
    int count = 0;
    for (int e = 0; e < encodings.size(); e++) {
      Encoded enc = encodings.get(e);
      int[] pick = chosen == null ? null : chosen.get(e);
      int n = pick == null ? enc.records().size() : pick.length;
      count += n;
      if (pick == null) {
        if (n > 0) {
          pieces.add(ByteBuffer.wrap(enc.bytes(), 0, enc.end(n - 1)));
        }
        continue;
      }
      for (int k = 0; k < n; ) {
        // a run of records next to each other in the encoding is one slice
        int from = enc.start(pick[k]);
        int last = pick[k];
        while (k + 1 < n && pick[k + 1] == last + 1) {
          last = pick[++k];
        }
        k++;
        pieces.add(ByteBuffer.wrap(enc.bytes(), from, enc.end(last) - from));
      }
    }
    pieces.set(0, ByteBuffer.wrap(new byte[] {(byte) CURRENT_VERSION, (byte) (count >>> 24),
        (byte) (count >>> 16), (byte) (count >>> 8), (byte) count}));
    return pieces.toArray(new ByteBuffer[0]);
  }

  /**
   * A growable big-endian byte buffer with {@link java.io.DataOutputStream}'s encodings (what
   * every release wrote), without its per-call synchronisation and per-string copies.
   */
  private static final class Writer {
    byte[] buf;
    int pos;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    void writeByte(int v) {
      ensure(1);
      buf[pos++] = (byte) v;
    }

    void writeBoolean(boolean v) {
      writeByte(v ? 1 : 0);
    }

    void writeInt(int v) {
      ensure(4);
      buf[pos] = (byte) (v >>> 24);
      buf[pos + 1] = (byte) (v >>> 16);
      buf[pos + 2] = (byte) (v >>> 8);
      buf[pos + 3] = (byte) v;
      pos += 4;
    }

    void writeLong(long v) {
      writeInt((int) (v >>> 32));
      writeInt((int) v);
    }

    void write(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    /** Reused by {@link #presentString} for a string's chars. */
    private char[] chars = new char[64];

    /**
     * A present string: the byte 1, then {@code s} in Java's modified UTF-8 prefixed by its byte
     * length ({@link #modifiedUtf8}). One pass: the chars are copied out in one go (a Latin-1
     * string's bytes are inflated by an intrinsic), room for the longest encoding (3 bytes a
     * char) is made once, the bytes are written and the length is filled in after them; the
     * same bytes as counting first and then writing. The chars are checked in a loop of their
     * own, so that an all-ASCII string's bytes are one bulk copy.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exactly the low bytes
    void presentString(String s) {
      int n = s.length();
      if (chars.length < n) {
        chars = new char[Math.max(n, 2 * chars.length)];
      }
      char[] c = chars;
      s.getChars(0, n, c, 0);
      ensure(5 + 3 * n);
      byte[] b = buf;
      b[pos] = 1;
      int lengthAt = pos + 1;
      int p = lengthAt + 4;
      int ascii = 0;
      while (ascii < n && (char) (c[ascii] - 1) < 0x7F) { // 0x01..0x7F: one byte each, as is
        ascii++;
      }
      if (ascii == n) {
        // the usual case (ids, names, models): the chars' low bytes, copied by String in one go
        s.getBytes(0, n, b, p);
        p += n;
      }
      for (int i = ascii == n ? n : 0; i < n; i++) {
        char ch = c[i];
        if (ch >= 0x01 && ch <= 0x7F) {
          b[p++] = (byte) ch;
        } else if (ch <= 0x7FF) {
          b[p++] = (byte) (0xC0 | (ch >> 6));
          b[p++] = (byte) (0x80 | (ch & 0x3F));
        } else {
          b[p++] = (byte) (0xE0 | (ch >> 12));
          b[p++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
          b[p++] = (byte) (0x80 | (ch & 0x3F));
        }
      }
      int bytes = p - lengthAt - 4;
      b[lengthAt] = (byte) (bytes >>> 24);
      b[lengthAt + 1] = (byte) (bytes >>> 16);
      b[lengthAt + 2] = (byte) (bytes >>> 8);
      b[lengthAt + 3] = (byte) bytes;
      pos = p;
    }
  }

  /**
   * Decodes one frame payload.
   *
   * @throws UnknownFormatException when the frame was written in a version this release does
   *     not read
   * @throws IOException when the payload is malformed
   */
  public static List<LakeRecord> decode(byte[] payload) throws IOException {
    if (payload.length == 0) {
      throw new IOException("empty record frame");
    }
    int version = payload[0] & 0xFF;
    if (version == JAVA_SERIALIZATION_MAGIC) {
      throw new UnknownFormatException("it holds Java-serialized records written by a collector"
          + " release older than record format " + CURRENT_VERSION + "; stop that release"
          + " gracefully (SIGTERM flushes its log to the lake) before upgrading, or run it"
          + " once on this data dir to flush the log");
    }
    if (version < OLDEST_READ_VERSION || version > CURRENT_VERSION) {
      throw new UnknownFormatException("it holds records in format version " + version
          + ", and this collector reads only versions " + OLDEST_READ_VERSION + " to "
          + CURRENT_VERSION + " (a newer release"
          + " wrote it: run that release, or a newer one, on this data dir)");
    }
    Reader in = new Reader(payload, 1);
    try {
      int count = in.readInt();
      if (count < 0) {
        throw new IOException("negative record count in a frame");
      }
      List<LakeRecord> out = new ArrayList<>(Math.min(count, 65_536));
      for (int i = 0; i < count; i++) {
        out.add(read(in, version));
      }
      if (in.available() > 0) {
        throw new IOException("unexpected bytes after the last record of a frame");
      }
      return out;
    } catch (EOFException e) {
      throw new IOException("record frame ends in the middle of a record", e);
    } catch (IllegalArgumentException | NullPointerException e) {
      // a record's own validation (e.g. Usage ranges) refused what the bytes say
      throw new IOException("record frame holds an invalid record (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads a payload in place with {@link java.io.DataInputStream}'s encodings (what every release
   * wrote), without its stream layers and per-string copies: the collector decodes every
   * buffered row at each lake flush, not only at a restart. Reading past the end is an {@link
   * EOFException}, as it was.
   */
  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b, int from) {
      this.b = b;
      this.pos = from;
    }

    int available() {
      return b.length - pos;
    }

    private void need(int n) throws EOFException {
      if (n > b.length - pos) {
        throw new EOFException();
      }
    }

    int readUnsignedByte() throws IOException {
      need(1);
      return b[pos++] & 0xFF;
    }

    int readInt() throws IOException {
      need(4);
      int v = (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8
          | (b[pos + 3] & 0xFF);
      pos += 4;
      return v;
    }

    long readLong() throws IOException {
      long hi = readInt();
      return hi << 32 | (readInt() & 0xFFFFFFFFL);
    }

    /** {@code n} (1 to 8) big-endian two's-complement bytes, sign-extended. */
    long readSigned(int n) throws IOException {
      need(n);
      long v = b[pos]; // sign-extends the first byte
      for (int i = 1; i < n; i++) {
        v = v << 8 | (b[pos + i] & 0xFF);
      }
      pos += n;
      return v;
    }

    void readFully(byte[] out) throws IOException {
      need(out.length);
      System.arraycopy(b, pos, out, 0, out.length);
      pos += out.length;
    }

    /** The next {@code n} bytes as modified UTF-8 ({@link #fromModifiedUtf8}). */
    String modifiedUtf8(int n) throws IOException {
      need(n);
      int end = pos + n;
      boolean ascii = true;
      for (int i = pos; i < end; i++) {
        int x = b[i];
        if (x <= 0) { // NUL (never written alone) or a byte of a multi-byte sequence
          ascii = false;
          break;
        }
      }
      String s = ascii ? new String(b, pos, n, java.nio.charset.StandardCharsets.ISO_8859_1)
          : fromModifiedUtf8(java.util.Arrays.copyOfRange(b, pos, end));
      pos = end;
      return s;
    }
  }

  /** A frame in a version this release cannot read. */
  public static final class UnknownFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    UnknownFormatException(String message) {
      super(message);
    }
  }

  private static void write(Writer out, LakeRecord r) {
    if (r instanceof CallRecord c) {
      out.writeByte(TAG_CALL);
      writeCall(out, c);
    } else if (r instanceof WorkflowSpanRecord w) {
      out.writeByte(TAG_WORKFLOW_SPAN);
      writeWorkflowSpan(out, w);
    } else if (r instanceof OutcomeRecord o) {
      out.writeByte(TAG_OUTCOME);
      writeOutcome(out, o);
    } else if (r instanceof CapBreachRecord b) {
      out.writeByte(TAG_CAP_BREACH);
      writeCapBreach(out, b);
    } else {
      throw new AssertionError("LakeRecord is sealed; unhandled " + r.getClass());
    }
  }

  private static LakeRecord read(Reader in, int version) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case TAG_CALL:
        return readCall(in, version);
      case TAG_WORKFLOW_SPAN:
        return readWorkflowSpan(in);
      case TAG_OUTCOME:
        return readOutcome(in);
      case TAG_CAP_BREACH:
        return readCapBreach(in);
      default:
        throw new IOException("unknown record tag " + tag + " in a version-" + version + " frame");
    }
  }

  private static void writeCall(Writer out, CallRecord c) {
    str(out, c.workflowId());
    str(out, c.callId());
    str(out, c.spanId());
    str(out, c.parentSpanId());
    str(out, c.kind());
    str(out, c.operation());
    str(out, c.service());
    str(out, c.provider());
    str(out, c.requestModel());
    str(out, c.responseModel());
    out.writeInt(c.attempt());
    str(out, c.status());
    str(out, c.errorType());
    optInt(out, c.httpStatus());
    str(out, c.finishReason());
    out.writeBoolean(c.streaming());
    usage(out, c.usage());
    decimal(out, c.costUsd());
    decimal(out, c.cacheSavingsGrossUsd());
    decimal(out, c.cacheSavingsNetUsd());
    out.writeBoolean(c.unpriced());
    out.writeBoolean(c.wasted());
    str(out, c.wasteCause());
    str(out, c.toolName());
    str(out, c.httpHost());
    str(out, c.httpPath());
    instant(out, c.startTime());
    instant(out, c.endTime());
    str(out, c.catalogVersion());
    str(out, c.priceKey());
    instant(out, c.receivedAt());
    decimal(out, c.providerCostUsd());
    str(out, c.responseId());
    out.writeBoolean(c.foreignSpan());
    out.writeBoolean(c.repeatedReport());
  }

  private static CallRecord readCall(Reader in, int version) throws IOException {
    if (version < 3) {
      return new CallRecord(str(in), str(in), str(in), str(in), str(in), str(in), str(in),
          str(in), str(in), str(in), in.readInt(), str(in), str(in), optInt(in), str(in),
          bool(in), usage(in), decimal(in), decimal(in), decimal(in), bool(in), bool(in),
          str(in), str(in), str(in), str(in), instant(in), instant(in), str(in), str(in),
          instant(in), version >= 2 ? decimal(in) : null);
    }
    // arguments are evaluated left to right: the fields in the order writeCall wrote them
    return new CallRecord(str(in), str(in), str(in), str(in), str(in), str(in), str(in),
        str(in), str(in), str(in), in.readInt(), str(in), str(in), optInt(in), str(in), bool(in),
        usage(in), decimal(in), decimal(in), decimal(in), bool(in), bool(in), str(in), str(in),
        str(in), str(in), instant(in), instant(in), str(in), str(in), instant(in), decimal(in),
        str(in), bool(in), bool(in));
  }

  private static void writeWorkflowSpan(Writer out, WorkflowSpanRecord w) {
    str(out, w.workflowId());
    str(out, w.spanId());
    str(out, w.workflowName());
    str(out, w.service());
    str(out, w.source());
    instant(out, w.startTime());
    instant(out, w.endTime());
    out.writeBoolean(w.error());
    str(out, w.errorType());
    out.writeInt(w.tags().size());
    // sorted, so equal records always encode to equal bytes (Map.copyOf's order varies by run)
    for (Map.Entry<String, String> e : new TreeMap<>(w.tags()).entrySet()) {
      str(out, e.getKey());
      str(out, e.getValue());
    }
    str(out, w.externalKey());
    str(out, w.conversationId());
    str(out, w.userId());
    instant(out, w.receivedAt());
  }

  private static WorkflowSpanRecord readWorkflowSpan(Reader in) throws IOException {
    String workflowId = str(in);
    String spanId = str(in);
    String name = str(in);
    String service = str(in);
    String source = str(in);
    Instant start = instant(in);
    Instant end = instant(in);
    boolean error = bool(in);
    String errorType = str(in);
    int tagCount = in.readInt();
    if (tagCount < 0 || tagCount > 65_536) {
      throw new IOException("implausible tag count " + tagCount + " in a workflow span record");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < tagCount; i++) {
      tags.put(str(in), str(in));
    }
    return new WorkflowSpanRecord(workflowId, spanId, name, service, source, start, end, error,
        errorType, tags, str(in), str(in), str(in), instant(in));
  }

  private static void writeCapBreach(Writer out, CapBreachRecord b) {
    str(out, b.workflowId());
    str(out, b.spanId());
    str(out, b.workflowName());
    str(out, b.service());
    str(out, b.capKind());
    decimal(out, b.capLimit());
    decimal(out, b.spent());
    str(out, b.unit());
    str(out, b.mode());
    out.writeBoolean(b.enforced());
    optLong(out, b.modelCalls());
    optLong(out, b.toolCalls());
    instant(out, b.breachedAt());
    instant(out, b.receivedAt());
  }

  private static CapBreachRecord readCapBreach(Reader in) throws IOException {
    return new CapBreachRecord(str(in), str(in), str(in), str(in), str(in), decimal(in),
        decimal(in), str(in), str(in), bool(in), optLong(in), optLong(in), instant(in),
        instant(in));
  }

  private static void writeOutcome(Writer out, OutcomeRecord o) {
    str(out, o.outcomeId());
    str(out, o.workflowId());
    str(out, o.externalKey());
    str(out, o.status());
    str(out, o.reason());
    decimal(out, o.value());
    str(out, o.unit());
    instant(out, o.reportedAt());
    out.writeBoolean(o.reportedAtGiven());
    instant(out, o.receivedAt());
  }

  private static OutcomeRecord readOutcome(Reader in) throws IOException {
    return new OutcomeRecord(str(in), str(in), str(in), str(in), str(in), decimal(in), str(in),
        instant(in), bool(in), instant(in));
  }

  private static void str(Writer out, String s) {
    if (s == null) {
      out.writeByte(0);
      return;
    }
    out.presentString(s);
  }

  private static String str(Reader in) throws IOException {
    if (!present(in)) {
      return null;
    }
    int n = in.readInt();
    // bounded by the bytes left in the frame (modifiedUtf8 checks), not by a size of its own:
    // nothing bounds the strings the collector accepts (an attribute, an outcome's reason) below
    // the body limit, and a cap here that the writer does not apply would make an acknowledged
    // record unreadable on replay
    if (n < 0) {
      throw new IOException("implausible string length " + n + " in a record");
    }
    return in.modifiedUtf8(n);
  }

  /**
   * Java's modified UTF-8 (as {@code DataOutput.writeUTF}, without its 64 KB limit): each UTF-16
   * unit on its own, U+0000 as two bytes. Unlike standard UTF-8 it keeps every Java string
   * exactly, including an unpaired surrogate a JSON escape ({@code "\ud800"}) can produce, so the
   * log never changes what it was given. Equal to UTF-8 for text without NUL and surrogates.
   */
  static byte[] modifiedUtf8(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x01 && c <= 0x7F) {
        out.write(c);
      } else if (c <= 0x7FF) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
    return out.toByteArray();
  }

  static String fromModifiedUtf8(byte[] b) throws IOException {
    StringBuilder out = new StringBuilder(b.length);
    int i = 0;
    while (i < b.length) {
      int x = b[i] & 0xFF;
      if (x < 0x80 && x != 0) {
        out.append((char) x);
        i += 1;
      } else if ((x & 0xE0) == 0xC0 && i + 1 < b.length && (b[i + 1] & 0xC0) == 0x80) {
        out.append((char) (((x & 0x1F) << 6) | (b[i + 1] & 0x3F)));
        i += 2;
      } else if ((x & 0xF0) == 0xE0 && i + 2 < b.length && (b[i + 1] & 0xC0) == 0x80
          && (b[i + 2] & 0xC0) == 0x80) {
        out.append((char) (((x & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F)));
        i += 3;
      } else {
        throw new IOException("malformed string bytes in a record");
      }
    }
    return out.toString();
  }

  private static void instant(Writer out, Instant t) {
    out.writeByte(t == null ? 0 : 1);
    if (t != null) {
      out.writeLong(t.getEpochSecond());
      out.writeInt(t.getNano());
    }
  }

  private static Instant instant(Reader in) throws IOException {
    if (!present(in)) {
      return null;
    }
    long seconds = in.readLong();
    int nanos = in.readInt();
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (java.time.DateTimeException e) {
      throw new IOException("instant out of range in a record", e);
    }
  }

  private static void decimal(Writer out, BigDecimal d) {
    out.writeByte(d == null ? 0 : 1);
    if (d != null) {
      out.writeInt(d.scale());
      BigInteger unscaled = d.unscaledValue();
      if (unscaled.bitLength() < 64) {
        // BigInteger.toByteArray's bytes (minimal two's complement), without the array
        long v = unscaled.longValue();
        int len = (64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v)) / 8 + 1;
        out.writeInt(len);
        for (int i = len - 1; i >= 0; i--) {
          out.writeByte((int) (v >>> (8 * i)));
        }
      } else {
        byte[] bytes = unscaled.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
      }
    }
  }

  private static BigDecimal decimal(Reader in) throws IOException {
    if (!present(in)) {
      return null;
    }
    int scale = in.readInt();
    int n = in.readInt();
    if (n <= 0 || n > 64) {
      throw new IOException("implausible decimal length " + n + " in a record");
    }
    if (n <= 8) {
      // BigInteger(byte[])'s value for a minimal two's-complement of up to 8 bytes, without the
      // array and the BigInteger: the same BigDecimal (unscaled value and scale)
      return BigDecimal.valueOf(in.readSigned(n), scale);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new BigDecimal(new BigInteger(b), scale);
  }

  private static void optInt(Writer out, Integer v) {
    out.writeByte(v == null ? 0 : 1);
    if (v != null) {
      out.writeInt(v);
    }
  }

  private static Integer optInt(Reader in) throws IOException {
    return present(in) ? in.readInt() : null;
  }

  private static void optLong(Writer out, Long v) {
    out.writeByte(v == null ? 0 : 1);
    if (v != null) {
      out.writeLong(v);
    }
  }

  private static Long optLong(Reader in) throws IOException {
    return present(in) ? in.readLong() : null;
  }

  private static void usage(Writer out, Usage u) {
    out.writeByte(u == null ? 0 : 1);
    if (u != null) {
      out.writeLong(u.input());
      out.writeLong(u.cacheRead());
      out.writeLong(u.cacheWrite());
      out.writeLong(u.cacheWrite1h());
      out.writeLong(u.output());
      out.writeLong(u.reasoning());
      out.writeBoolean(u.estimated());
      str(out, u.serviceTier());
    }
  }

  private static Usage usage(Reader in) throws IOException {
    if (!present(in)) {
      return null;
    }
    return new Usage(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
        in.readLong(), bool(in), str(in));
  }

  private static boolean bool(Reader in) throws IOException {
    int b = in.readUnsignedByte();
    if (b > 1) {
      throw new IOException("invalid boolean byte " + b + " in a record");
    }
    return b == 1;
  }

  private static boolean present(Reader in) throws IOException {
    return bool(in);
  }
}
