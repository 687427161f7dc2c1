package io.flowcost.agent.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.internal.W3CTraceContextEncoding;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The agent's OTLP/protobuf encoder: writes an {@code ExportTraceServiceRequest} for a batch of
 * spans into one reused byte array, straight from the spans' fields — no marshaler object per
 * span, attribute or value, no hex id decoded through a map, no {@code String.getBytes} copy of a
 * name or value. The resource and instrumentation scope, the same for every span the agent
 * records, are encoded once and copied into each request.
 *
 * <p>The bytes are those OpenTelemetry's {@code LowAllocationTraceRequestMarshaler} (and {@code
 * TraceRequestMarshaler}) write for the same spans: fields in field-number order, proto3 defaults
 * left out, attributes in the order the span holds them, the same span flags ({@code
 * OtlpTraceEncoderTest} compares the two byte for byte). Spans of several resources or scopes (the
 * agent makes none, tests do) are grouped by resource, then scope, in the order first seen — the
 * SDK groups them by identity too, in an order it never fixed.
 *
 * <p>Not thread-safe: the export thread owns one. A message's length prefix is written after its
 * content (one byte reserved, the content moved along when the length needs more), so every
 * nested message is written in a single pass.
 */
public final class OtlpTraceEncoder {

  /** A scratch array larger than this (1 MiB) is dropped after the batch that needed it. */
  private static final int MAX_KEPT_CAPACITY = 1 << 20;

  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LEN = 2;
  private static final int FIXED32 = 5;

  /** The span flags bit saying whether the parent is remote is known (OTLP {@code SpanFlags}). */
  private static final int CONTEXT_HAS_IS_REMOTE = 0x100;
  /** The span flags bit saying the parent is remote. */
  private static final int CONTEXT_IS_REMOTE = 0x200;

  /** Slots of the attribute key cache (a power of two). */
  private static final int KEY_SLOTS = 256;
  /** Longer attribute names are encoded each time (the agent's are under 40 characters). */
  private static final int MAX_CACHED_KEY_CHARS = 100;

  /** The value of each ASCII hex digit, -1 for every other character below 128. */
  private static final byte[] HEX_VALUES = new byte[128];

  static {
    Arrays.fill(HEX_VALUES, (byte) -1);
    for (int d = 0; d < 10; d++) {
      HEX_VALUES['0' + d] = (byte) d;
    }
    for (int d = 0; d < 6; d++) {
      HEX_VALUES['a' + d] = (byte) (10 + d);
      HEX_VALUES['A' + d] = (byte) (10 + d);
    }
  }

  private byte[] buf = new byte[4096];
  private int pos;
  /** Where the last request encoded starts in {@link #buf} (it ends at {@link #pos}). */
  private int start;

  private Resource cachedResource;
  private byte[] cachedResourceBytes;
  private InstrumentationScopeInfo cachedScope;
  private byte[] cachedScopeBytes;

  /**
   * Attribute keys already encoded: slot {@code name.hashCode() & (KEY_SLOTS - 1)} holds a name
   * and the bytes of its {@code KeyValue.key} field (tag, length, UTF-8), copied into each
   * request instead of encoding the name again. The agent's keys are a few dozen constants (the
   * same {@code String} each time, so a hit is an identity comparison); most of a span's bytes
   * are its attribute names. A slot is filled once, by the first name that lands in it: a name
   * whose slot holds another is encoded each time, as before, so two names sharing a slot cost
   * no copying back and forth, and the cache's memory is bounded ({@link #KEY_SLOTS} names of at
   * most {@link #MAX_CACHED_KEY_CHARS}).
   */
  private final String[] keyNames = new String[KEY_SLOTS];

  private final byte[][] keyFields = new byte[KEY_SLOTS][];

  /** The trace id last written, and its 16 bytes: a batch holds a trace's spans one after another. */
  private String lastTraceId;

  private final byte[] lastTraceIdBytes = new byte[16];

  /** Writes attributes not held in a {@link SpanAttributeArray}; its field set before use. */
  private final AttributeWriter attributeWriter = new AttributeWriter();

  /**
   * Encodes the request for {@code spans}; its bytes are then {@link #size()} long, read with
   * {@link #writeTo}. No spans: an empty request (zero bytes), as the SDK's.
   */
  public int encode(Collection<? extends SpanData> spans) {
    pos = 0;
    start = 0;
    if (buf.length > MAX_KEPT_CAPACITY) {
      buf = new byte[4096];
    }
    if (spans.isEmpty()) {
      return 0;
    }
    SpanData first = spans.iterator().next();
    Resource resource = first.getResource();
    InstrumentationScopeInfo scope = first.getInstrumentationScopeInfo();
    boolean oneGroup = true;
    for (SpanData span : spans) {
      if (span.getResource() != resource || span.getInstrumentationScopeInfo() != scope) {
        oneGroup = false;
        break;
      }
    }
    if (oneGroup) {
      // the agent's case: one resource, one scope
      return encodeOneGroup(spans, resource, scope);
    }
    for (ResourceGroup group : group(spans)) {
      int resourceSpans = begin(1);
      writeRaw(resourceBytes(group.resource));
      for (ScopeGroup scopeGroup : group.scopes) {
        int scopeSpans = begin(2);
        writeRaw(scopeBytes(scopeGroup.scope));
        for (SpanData span : scopeGroup.spans) {
          writeSpan(span);
        }
        writeString(3, scopeGroup.scope.getSchemaUrl());
        end(scopeSpans);
      }
      writeString(3, group.resource.getSchemaUrl());
      end(resourceSpans);
    }
    return pos;
  }

  /**
   * One {@code ResourceSpans} holding one {@code ScopeSpans}: the two outer messages' headers
   * (tag, length, and the resource's bytes between them) are written last, in the room left for
   * them before the content, so that the batch — hundreds of KB — is not moved along when those
   * lengths turn out to need more than the one byte {@link #begin} reserves (they always do: a
   * batch is over 127 bytes). The request then starts at {@link #start}, not at 0.
   */
  private int encodeOneGroup(
      Collection<? extends SpanData> spans, Resource resource, InstrumentationScopeInfo scope) {
    byte[] resourceField = resourceBytes(resource);
    // tag and the longest length of ResourceSpans, the resource, tag and longest length of
    // ScopeSpans
    int headRoom = 1 + 5 + resourceField.length + 1 + 5;
    ensure(headRoom);
    pos = headRoom;
    writeRaw(scopeBytes(scope));
    for (SpanData span : spans) {
      writeSpan(span);
    }
    writeString(3, scope.getSchemaUrl());
    int scopeSpansLength = pos - headRoom;
    writeString(3, resource.getSchemaUrl());
    int resourceSpansLength = resourceField.length + 1 + varintSize(scopeSpansLength)
        + (pos - headRoom);
    int at = headRoom - (1 + varintSize(resourceSpansLength) + resourceField.length + 1
        + varintSize(scopeSpansLength));
    start = at;
    buf[at++] = (byte) ((1 << 3) | LEN);
    at = putVarint(at, resourceSpansLength);
    System.arraycopy(resourceField, 0, buf, at, resourceField.length);
    at += resourceField.length;
    buf[at++] = (byte) ((2 << 3) | LEN);
    at = putVarint(at, scopeSpansLength);
    assert at == headRoom;
    return pos - start;
  }

  /** Writes {@code value} as a varint at {@code at} (room known to be there); returns the end. */
  private int putVarint(int at, int value) {
    byte[] b = buf;
    int v = value;
    while ((v & ~0x7F) != 0) {
      b[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[at++] = (byte) v;
    return at;
  }

  /** Bytes of the last request encoded. */
  public int size() {
    return pos - start;
  }

  /** Writes the last request encoded. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(buf, start, pos - start);
  }

  /** The array holding the last request encoded, from {@link #start()}, {@link #size()} bytes. */
  public byte[] array() {
    return buf;
  }

  /** Where the last request encoded starts in {@link #array()}. */
  public int start() {
    return start;
  }

  /**
   * Hands the array holding the last request over to the caller (who keeps it: the encoder never
   * writes into it again) and encodes the next request into {@code next} instead, a free array
   * of the caller's — or into a new one the size of this request when {@code next} is smaller
   * than that, so that after a few batches the arrays taking turns are all large enough. The last
   * request is no longer readable through this encoder.
   */
  public byte[] handOver(byte[] next) {
    byte[] out = buf;
    int needed = Math.min(Math.max(pos, 4096), MAX_KEPT_CAPACITY);
    buf = next != null && next.length >= needed ? next : new byte[needed];
    pos = 0;
    start = 0;
    return out;
  }

  /** A copy of the last request encoded (tests, diagnostics). */
  public byte[] toByteArray() {
    return Arrays.copyOfRange(buf, start, pos);
  }

  // ---- the messages ----

  private void writeSpan(SpanData span) {
    int start = beginWide(2);
    SpanContext context = span.getSpanContext();
    writeTraceId(1, context.getTraceId());
    writeSpanId(2, context);
    writeTraceState(3, context.getTraceState());
    SpanContext parent = span.getParentSpanContext();
    if (parent.isValid()) {
      writeSpanId(4, parent);
    }
    writeString(5, span.getName());
    writeVarintField(6, kind(span.getKind()));
    writeFixed64Field(7, span.getStartEpochNanos());
    writeFixed64Field(8, span.getEndEpochNanos());
    Attributes attributes = span.getAttributes();
    writeAttributes(9, attributes);
    writeUInt32Field(10, span.getTotalAttributeCount() - attributes.size());
    List<EventData> events = span.getEvents();
    for (int i = 0, n = events.size(); i < n; i++) {
      writeEvent(11, events.get(i));
    }
    writeUInt32Field(12, span.getTotalRecordedEvents() - events.size());
    List<LinkData> links = span.getLinks();
    for (int i = 0, n = links.size(); i < n; i++) {
      writeLink(13, links.get(i));
    }
    writeUInt32Field(14, span.getTotalRecordedLinks() - links.size());
    writeStatus(15, span.getStatus());
    writeFixed32Field(16, flags(context, parent.isRemote()));
    endWide(start);
  }

  private void writeEvent(int field, EventData event) {
    int start = begin(field);
    writeFixed64Field(1, event.getEpochNanos());
    writeString(2, event.getName());
    Attributes attributes = event.getAttributes();
    writeAttributes(3, attributes);
    writeUInt32Field(4, event.getTotalAttributeCount() - attributes.size());
    end(start);
  }

  private void writeLink(int field, LinkData link) {
    int start = begin(field);
    SpanContext context = link.getSpanContext();
    writeTraceId(1, context.getTraceId());
    writeSpanId(2, context);
    writeTraceState(3, context.getTraceState());
    Attributes attributes = link.getAttributes();
    writeAttributes(4, attributes);
    writeUInt32Field(5, link.getTotalAttributeCount() - attributes.size());
    writeFixed32Field(6, flags(context, context.isRemote()));
    end(start);
  }

  /** Always written, as the SDK writes it: an unset status is an empty message. */
  private void writeStatus(int field, StatusData status) {
    int start = begin(field);
    writeString(2, status.getDescription());
    StatusCode code = status.getStatusCode();
    writeVarintField(3, code == StatusCode.OK ? 1 : code == StatusCode.ERROR ? 2 : 0);
    end(start);
  }

  /** OTLP {@code Span.flags}: the W3C trace flags, and whether the parent (or link) is remote. */
  private static int flags(SpanContext context, boolean remote) {
    int flags = context.getTraceFlags().asByte() & 0xff;
    return remote ? flags | CONTEXT_HAS_IS_REMOTE | CONTEXT_IS_REMOTE
        : flags | CONTEXT_HAS_IS_REMOTE;
  }

  private static int kind(SpanKind kind) {
    switch (kind) {
      case INTERNAL:
        return 1;
      case SERVER:
        return 2;
      case CLIENT:
        return 3;
      case PRODUCER:
        return 4;
      case CONSUMER:
        return 5;
      default:
        return 0;
    }
  }

  private void writeAttributes(int field, Attributes attributes) {
    if (attributes instanceof SpanAttributeArray) {
      // the agent's spans: read in place, no callback per attribute
      SpanAttributeArray array = (SpanAttributeArray) attributes;
      for (int i = 0, n = array.size(); i < n; i++) {
        writeKeyValue(field, array.keyAt(i), array.valueAt(i));
      }
      return;
    }
    if (attributes.isEmpty()) {
      return;
    }
    attributeWriter.field = field;
    attributes.forEach(attributeWriter);
  }

  private final class AttributeWriter implements BiConsumer<AttributeKey<?>, Object> {
    int field;

    @Override
    public void accept(AttributeKey<?> key, Object value) {
      writeKeyValue(field, key, value);
    }
  }

  /** {@code KeyValue{key, value: AnyValue}}. */
  private void writeKeyValue(int field, AttributeKey<?> key, Object value) {
    AttributeType type = key.getType();
    if (type == AttributeType.STRING ? writeShortString(field, key.getKey(), (String) value)
        : type == AttributeType.LONG && writeShortLong(field, key.getKey(), (Long) value)) {
      return;
    }
    int start = begin(field);
    writeKey(key.getKey());
    int any = begin(2);
    switch (key.getType()) {
      case STRING:
        writeStringAlways(1, (String) value);
        break;
      case BOOLEAN:
        writeBoolAlways(2, (Boolean) value);
        break;
      case LONG:
        writeInt64Always(3, (Long) value);
        break;
      case DOUBLE:
        writeDoubleAlways(4, (Double) value);
        break;
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        writeArray(5, (List<?>) value);
        break;
      case VALUE:
        writeAnyValueContent((Value<?>) value);
        break;
      default:
        throw new IllegalArgumentException("attribute type " + key.getType());
    }
    end(any);
    end(start);
  }

  /**
   * A string attribute whose key is cached and whose value is ASCII and short enough that the
   * {@code KeyValue}'s length fits one byte (most of the agent's: models, ids, kinds), written in
   * one go: the three nested lengths ({@code KeyValue}, {@code AnyValue}, the string) are known
   * before writing, so none is reserved and patched afterwards. The same bytes as the general
   * path; {@code false}, with nothing written, when the attribute is not such a one.
   */
  private boolean writeShortString(int field, String name, String value) {
    byte[] key = cachedKey(name);
    int n = value.length();
    if (key == null || n >= 0x80 || field >= 16) {
      return false; // n first: no sum below can overflow
    }
    // KeyValue: tag, length, key field, then AnyValue's tag and length, the string's tag and
    // length and its n bytes
    int length = key.length + 4 + n;
    if (length >= 0x80) {
      return false;
    }
    ensure(2 + length);
    byte[] b = buf;
    int at = pos;
    int text = at + 2 + key.length + 4;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        return false; // the bytes past pos written so far are scratch: pos has not moved
      }
      b[text + i] = (byte) c;
    }
    b[at] = (byte) ((field << 3) | LEN);
    b[at + 1] = (byte) length;
    System.arraycopy(key, 0, b, at + 2, key.length);
    at += 2 + key.length;
    b[at] = (byte) ((2 << 3) | LEN);
    b[at + 1] = (byte) (n + 2);
    b[at + 2] = (byte) ((1 << 3) | LEN);
    b[at + 3] = (byte) n;
    pos = text + n;
    return true;
  }

  /**
   * A long attribute whose key is cached (token counts, attempts), written in one go as {@link
   * #writeShortString} writes a string: the same bytes as the general path; {@code false}, with
   * nothing written, when the key is not cached.
   */
  private boolean writeShortLong(int field, String name, long value) {
    byte[] key = cachedKey(name);
    if (key == null || field >= 16) {
      return false;
    }
    int varint = varintSize(value);
    // KeyValue: tag, length, key field, AnyValue's tag and length, int_value's tag and varint
    int length = key.length + 3 + varint;
    if (length >= 0x80) {
      return false;
    }
    ensure(2 + length);
    byte[] b = buf;
    int at = pos;
    b[at] = (byte) ((field << 3) | LEN);
    b[at + 1] = (byte) length;
    System.arraycopy(key, 0, b, at + 2, key.length);
    at += 2 + key.length;
    b[at] = (byte) ((2 << 3) | LEN);
    b[at + 1] = (byte) (1 + varint);
    b[at + 2] = (byte) ((3 << 3) | VARINT);
    pos = at + 3;
    writeVarint(value);
    return true;
  }

  /** The encoded {@code KeyValue.key} field of {@code name} if the key cache holds it, else null. */
  private byte[] cachedKey(String name) {
    int slot = name.hashCode() & (KEY_SLOTS - 1);
    String cached = keyNames[slot];
    return cached == name || cached != null && cached.equals(name) ? keyFields[slot] : null;
  }

  /** {@code KeyValue.key}: from the key cache, else encoded (and cached if its slot is free). */
  private void writeKey(String name) {
    int slot = name.hashCode() & (KEY_SLOTS - 1);
    String cached = keyNames[slot];
    if (cached == name || cached != null && cached.equals(name)) {
      writeRaw(keyFields[slot]);
      return;
    }
    int mark = pos;
    writeString(1, name);
    if (cached == null && name.length() <= MAX_CACHED_KEY_CHARS) {
      keyFields[slot] = Arrays.copyOfRange(buf, mark, pos);
      keyNames[slot] = name;
    }
  }

  /** {@code ArrayValue{values: AnyValue...}} of a primitive array attribute. */
  private void writeArray(int field, List<?> values) {
    int array = begin(field);
    for (int i = 0, n = values.size(); i < n; i++) {
      Object element = values.get(i);
      int any = begin(1);
      if (element instanceof String) {
        writeStringAlways(1, (String) element);
      } else if (element instanceof Boolean) {
        writeBoolAlways(2, (Boolean) element);
      } else if (element instanceof Long) {
        writeInt64Always(3, (Long) element);
      } else if (element instanceof Double) {
        writeDoubleAlways(4, (Double) element);
      }
      end(any);
    }
    end(array);
  }

  /** The content of an {@code AnyValue} holding an API {@link Value}. */
  private void writeAnyValueContent(Value<?> value) {
    switch (value.getType()) {
      case STRING:
        writeStringAlways(1, (String) value.getValue());
        break;
      case BOOLEAN:
        writeBoolAlways(2, (Boolean) value.getValue());
        break;
      case LONG:
        writeInt64Always(3, (Long) value.getValue());
        break;
      case DOUBLE:
        writeDoubleAlways(4, (Double) value.getValue());
        break;
      case ARRAY: {
        int array = begin(5);
        for (Object element : (List<?>) value.getValue()) {
          int any = begin(1);
          writeAnyValueContent((Value<?>) element);
          end(any);
        }
        end(array);
        break;
      }
      case KEY_VALUE_LIST: {
        int list = begin(6);
        for (Object element : (List<?>) value.getValue()) {
          KeyValue kv = (KeyValue) element;
          int entry = begin(1);
          writeString(1, kv.getKey());
          int any = begin(2);
          writeAnyValueContent(kv.getValue());
          end(any);
          end(entry);
        }
        end(list);
        break;
      }
      case BYTES: {
        ByteBuffer bytes = ((ByteBuffer) value.getValue()).duplicate();
        writeTag(7, LEN);
        writeVarint(bytes.remaining());
        ensure(bytes.remaining());
        int n = bytes.remaining();
        bytes.get(buf, pos, n);
        pos += n;
        break;
      }
      default:
        break; // EMPTY: an AnyValue with nothing set
    }
  }

  // ---- the resource and scope, encoded once ----

  private byte[] resourceBytes(Resource resource) {
    if (resource != cachedResource) {
      cachedResourceBytes = encodeAside(() -> {
        int start = begin(1);
        writeAttributes(1, resource.getAttributes());
        end(start);
      });
      cachedResource = resource;
    }
    return cachedResourceBytes;
  }

  private byte[] scopeBytes(InstrumentationScopeInfo scope) {
    if (scope != cachedScope) {
      cachedScopeBytes = encodeAside(() -> {
        int start = begin(1);
        writeString(1, scope.getName());
        writeString(2, scope.getVersion());
        writeAttributes(3, scope.getAttributes());
        end(start);
      });
      cachedScope = scope;
    }
    return cachedScopeBytes;
  }

  /** The bytes {@code writer} writes, written after the current content then taken away. */
  private byte[] encodeAside(Runnable writer) {
    int mark = pos;
    writer.run();
    byte[] bytes = Arrays.copyOfRange(buf, mark, pos);
    pos = mark;
    return bytes;
  }

  // ---- grouping, for batches of several resources or scopes (not the agent's) ----

  private static final class ResourceGroup {
    final Resource resource;
    final List<ScopeGroup> scopes = new ArrayList<>(1);

    ResourceGroup(Resource resource) {
      this.resource = resource;
    }
  }

  private static final class ScopeGroup {
    final InstrumentationScopeInfo scope;
    final List<SpanData> spans = new ArrayList<>();

    ScopeGroup(InstrumentationScopeInfo scope) {
      this.scope = scope;
    }
  }

  private static List<ResourceGroup> group(Collection<? extends SpanData> spans) {
    List<ResourceGroup> groups = new ArrayList<>(2);
    for (SpanData span : spans) {
      ResourceGroup group = null;
      for (ResourceGroup g : groups) {
        if (g.resource == span.getResource()) {
          group = g;
          break;
        }
      }
      if (group == null) {
        group = new ResourceGroup(span.getResource());
        groups.add(group);
      }
      ScopeGroup scope = null;
      for (ScopeGroup s : group.scopes) {
        if (s.scope == span.getInstrumentationScopeInfo()) {
          scope = s;
          break;
        }
      }
      if (scope == null) {
        scope = new ScopeGroup(span.getInstrumentationScopeInfo());
        group.scopes.add(scope);
      }
      scope.spans.add(span);
    }
    return groups;
  }

  // ---- protobuf wire format ----

  /**
   * Starts a length-delimited field: its tag and one byte reserved for the length. Returns where
   * the content starts, for {@link #end}.
   */
  private int begin(int field) {
    int tag = (field << 3) | LEN;
    if (tag < 0x80) {
      // every field this encoder nests is below 16: a one-byte tag, one capacity check
      ensure(2);
      buf[pos] = (byte) tag;
      buf[pos + 1] = 0;
      pos += 2;
      return pos;
    }
    writeTag(field, LEN);
    ensure(1);
    buf[pos++] = 0;
    return pos;
  }

  /**
   * Starts a length-delimited field of a field number below 16 with two bytes reserved for the
   * length: a span's content is 128 to 16,383 bytes nearly always (its attribute names alone pass
   * 127), so {@link #endWide} then moves nothing.
   */
  private int beginWide(int field) {
    ensure(3);
    buf[pos] = (byte) ((field << 3) | LEN);
    pos += 3;
    return pos;
  }

  /**
   * Ends the field {@link #beginWide} started: its length, the content moved when the length
   * needs one byte, or more than two.
   */
  private void endWide(int start) {
    int length = pos - start;
    if (length >= 0x80 && length < 0x4000) {
      buf[start - 2] = (byte) ((length & 0x7F) | 0x80);
      buf[start - 1] = (byte) (length >>> 7);
      return;
    }
    if (length < 0x80) {
      System.arraycopy(buf, start, buf, start - 1, length);
      buf[start - 2] = (byte) length;
      pos--;
      return;
    }
    int extra = varintSize(length) - 2;
    ensure(extra);
    System.arraycopy(buf, start, buf, start + extra, length);
    pos += extra;
    putVarint(start - 2, length);
  }

  /** Ends the field {@link #begin} started: its length, the content moved if it needs more. */
  private void end(int start) {
    int length = pos - start;
    if (length < 0x80) {
      buf[start - 1] = (byte) length;
      return;
    }
    int extra = varintSize(length) - 1;
    ensure(extra);
    System.arraycopy(buf, start, buf, start + extra, length);
    pos += extra;
    int at = start - 1;
    int v = length;
    while ((v & ~0x7F) != 0) {
      buf[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[at] = (byte) v;
  }

  private void writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  private void writeTag(int field, int wireType) {
    int tag = (field << 3) | wireType;
    if (tag < 0x80) {
      ensure(1);
      buf[pos++] = (byte) tag;
      return;
    }
    writeVarint(tag);
  }

  /** A varint field, left out when zero (proto3 default). */
  private void writeVarintField(int field, long value) {
    if (value != 0) {
      writeTag(field, VARINT);
      writeVarint(value);
    }
  }

  /**
   * A {@code uint32} field (a dropped count), left out when zero; a negative count (a {@code
   * SpanData} whose total is below what it holds) is written as its unsigned 32 bits, as the SDK
   * writes it.
   */
  private void writeUInt32Field(int field, int value) {
    writeVarintField(field, value & 0xFFFFFFFFL);
  }

  /** A fixed64 field, left out when zero. */
  private void writeFixed64Field(int field, long value) {
    if (value != 0) {
      writeTag(field, FIXED64);
      writeFixed64(value);
    }
  }

  /** A fixed32 field, left out when zero. */
  private void writeFixed32Field(int field, int value) {
    if (value != 0) {
      writeTag(field, FIXED32);
      ensure(4);
      buf[pos++] = (byte) value;
      buf[pos++] = (byte) (value >>> 8);
      buf[pos++] = (byte) (value >>> 16);
      buf[pos++] = (byte) (value >>> 24);
    }
  }

  /** A {@code oneof} member of {@code AnyValue}: written even when it holds the default. */
  private void writeBoolAlways(int field, boolean value) {
    writeTag(field, VARINT);
    ensure(1);
    buf[pos++] = (byte) (value ? 1 : 0);
  }

  private void writeInt64Always(int field, long value) {
    writeTag(field, VARINT);
    writeVarint(value);
  }

  private void writeDoubleAlways(int field, double value) {
    writeTag(field, FIXED64);
    writeFixed64(Double.doubleToRawLongBits(value));
  }

  private void writeFixed64(long value) {
    ensure(8);
    byte[] b = buf;
    int at = pos;
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (value >>> (8 * i));
    }
    pos = at + 8;
  }

  private void writeVarint(long value) {
    ensure(10);
    byte[] b = buf;
    int at = pos;
    long v = value;
    while ((v & ~0x7FL) != 0) {
      b[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[at++] = (byte) v;
    pos = at;
  }

  /** Bytes of {@code value} as a varint (a negative one takes ten). */
  private static int varintSize(long value) {
    int size = 1;
    for (long v = value; (v & ~0x7FL) != 0; v >>>= 7) {
      size++;
    }
    return size;
  }

  private static int varintSize(int value) {
    if ((value & ~0x7F) == 0) {
      return 1;
    }
    if ((value & ~0x3FFF) == 0) {
      return 2;
    }
    if ((value & ~0x1FFFFF) == 0) {
      return 3;
    }
    if ((value & ~0xFFFFFFF) == 0) {
      return 4;
    }
    return 5;
  }

  /** A string field, left out when {@code null} or empty (proto3 default). */
  private void writeString(int field, String value) {
    if (value != null && !value.isEmpty()) {
      writeStringAlways(field, value);
    }
  }

  /**
   * A string field written even when empty ({@code AnyValue.string_value}), in UTF-8 as {@code
   * String.getBytes(UTF_8)} encodes it: an unpaired surrogate becomes {@code '?'}.
   */
  private void writeStringAlways(int field, String value) {
    int start = begin(field);
    int n = value.length();
    ensure(n);
    int i = 0;
    // ASCII, the common case: one byte per char, no per-char capacity check; the array and the
    // position in locals, so that the loop keeps them in registers (a field store per character
    // was most of this loop's time)
    byte[] b = buf;
    int at = pos;
    for (; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        break;
      }
      b[at + i] = (byte) c;
    }
    pos = at + i;
    for (; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        ensure(1);
        buf[pos++] = (byte) c;
      } else if (c < 0x800) {
        ensure(2);
        buf[pos++] = (byte) (0xC0 | (c >>> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        int codePoint = -1;
        if (Character.isHighSurrogate(c) && i + 1 < n) {
          char low = value.charAt(i + 1);
          if (Character.isLowSurrogate(low)) {
            codePoint = Character.toCodePoint(c, low);
          }
        }
        if (codePoint < 0) {
          ensure(1);
          buf[pos++] = (byte) '?';
        } else {
          i++;
          ensure(4);
          buf[pos++] = (byte) (0xF0 | (codePoint >>> 18));
          buf[pos++] = (byte) (0x80 | ((codePoint >>> 12) & 0x3F));
          buf[pos++] = (byte) (0x80 | ((codePoint >>> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (codePoint & 0x3F));
        }
      } else {
        ensure(3);
        buf[pos++] = (byte) (0xE0 | (c >>> 12));
        buf[pos++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    end(start);
  }

  /** A 32-hex-digit trace id as its 16 bytes. */
  private void writeTraceId(int field, String hex) {
    if (hex == lastTraceId) {
      // the same trace as the span before: its bytes are known (an id string is never changed)
      writeTag(field, LEN);
      ensure(17);
      buf[pos++] = 16;
      System.arraycopy(lastTraceIdBytes, 0, buf, pos, 16);
      pos += 16;
      return;
    }
    writeHexBytes(field, hex, 16);
    System.arraycopy(buf, pos - 16, lastTraceIdBytes, 0, 16);
    lastTraceId = hex;
  }

  /**
   * A span id as its 8 bytes: an agent span's from the {@code long} it keeps (big-endian, the
   * same bytes as its hex: no hex string made on the export thread), any other's from its hex.
   */
  private void writeSpanId(int field, SpanContext context) {
    if (!(context instanceof AgentSpan)) {
      writeHexBytes(field, context.getSpanId(), 8);
      return;
    }
    long id = ((AgentSpan) context).spanIdLong();
    writeTag(field, LEN);
    ensure(9);
    byte[] b = buf;
    int at = pos;
    b[at++] = 8;
    for (int shift = 56; shift >= 0; shift -= 8) {
      b[at++] = (byte) (id >>> shift);
    }
    pos = at;
  }

  private void writeHexBytes(int field, String hex, int bytes) {
    if (hex == null || hex.length() != 2 * bytes) {
      throw new IllegalArgumentException("an id of " + bytes + " bytes must have " + 2 * bytes
          + " hex digits");
    }
    writeTag(field, LEN);
    ensure(1 + bytes);
    byte[] b = buf;
    int at = pos;
    b[at++] = (byte) bytes;
    int bad = 0;
    for (int i = 0; i < bytes; i++) {
      int high = hexDigit(hex.charAt(2 * i));
      int low = hexDigit(hex.charAt(2 * i + 1));
      bad |= high | low; // negative once any is not a digit: checked once, after the loop
      b[at + i] = (byte) ((high << 4) | low);
    }
    pos = at + bytes;
    if (bad < 0) {
      throw new IllegalArgumentException("not a hex digit in an id");
    }
  }

  /** The value of a hex digit, or -1: a table look-up, not a chain of comparisons. */
  private static int hexDigit(char c) {
    return c < 128 ? HEX_VALUES[c] : -1;
  }

  private void writeTraceState(int field, TraceState state) {
    if (!state.isEmpty()) {
      writeString(field, W3CTraceContextEncoding.encodeTraceState(state));
    }
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(pos + more, buf.length * 2));
    }
  }
}
