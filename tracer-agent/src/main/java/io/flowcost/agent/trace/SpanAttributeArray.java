package io.flowcost.agent.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A span's attributes as one array of key, value, key, value, … in the order first set: no map,
 * no hash table, no entry object per attribute (a span has a few dozen attributes at most, so a
 * scan finds a key as fast). Filled by one span (under its lock) while it is recorded, then
 * {@linkplain #seal() sealed} when it ends and read-only from then on.
 *
 * <p>The array is made at the first attribute, as large as the span's builder said to expect
 * ({@link AgentTracer#spanBuilder(String, int)}; 8 by default), and doubled when full: the
 * agent's own spans say how many attributes they usually get, so that one array, made once, holds
 * them all (two arrays that grew on every span were the largest allocation per span).
 *
 * <p>The OpenTelemetry SDK's rules ({@code AttributesMap}), kept so that what reaches the wire
 * does not change: a {@code null} key, an empty key name or a {@code null} value is ignored; a key
 * is its name: setting a name again replaces key and value in place; at most {@link #LIMIT} names,
 * further new names dropped; each new name, kept or dropped, counts in {@link #totalAdded()} (the
 * OTLP {@code dropped_attributes_count} is that minus {@link #size()}).
 *
 * <p>Not final only so that a span's builder can be its attribute array ({@link
 * AgentSpanBuilder}); it changes none of this.
 */
class SpanAttributeArray implements Attributes, BiConsumer<AttributeKey<?>, Object> {

  /** The SDK's default span limit of attributes per span. */
  static final int LIMIT = 128;

  /** Attributes expected when the builder was not told. */
  static final int DEFAULT_CAPACITY = 8;

  private static final Object[] NONE = new Object[0];

  /** Key {@code i} at {@code 2 i}, its value at {@code 2 i + 1}. */
  private Object[] slots = NONE;
  /**
   * Attributes the array is made for at the first one; 0 once {@linkplain #seal() sealed} (no
   * attribute is put then): one field for both keeps a span's builder, which is its attribute
   * array, within 64 bytes with {@link #names}.
   */
  private int expected;
  private int size;
  /**
   * The {@link #bit}s of the names kept: a name whose bit is not set is not among them (a set
   * bit may be another name's: then the keys are compared).
   */
  private int names;
  private int totalAdded;

  SpanAttributeArray() {
    this(DEFAULT_CAPACITY);
  }

  /** @param expected attributes to make room for at the first one (1 to {@link #LIMIT}) */
  SpanAttributeArray(int expected) {
    this.expected = Math.max(1, Math.min(LIMIT, expected));
  }

  /** Adds or replaces an attribute (see the class comment for the SDK's rules). */
  final <T> void put(AttributeKey<T> key, T value) {
    if (key == null || key.getKey().isEmpty() || value == null || expected == 0) {
      return;
    }
    String name = key.getKey();
    // a span sets 10-20 attributes, each checked against those already set: a name whose hash
    // bit is not in the names' bit set is new without a look at them (most puts: the walk of
    // every earlier key was most of this method's time); else compare the names' cached hashes
    // first, so that a new name costs an int comparison per attribute, not equals
    int hash = name.hashCode();
    int bit = bit(hash);
    Object[] s = slots;
    if ((names & bit) != 0) {
      for (int i = 0; i < size; i++) {
        String other = ((AttributeKey<?>) s[2 * i]).getKey();
        if (other == name || other.hashCode() == hash && other.equals(name)) {
          s[2 * i] = key;
          s[2 * i + 1] = value;
          return;
        }
      }
    }
    totalAdded++;
    if (size >= LIMIT) {
      return;
    }
    if (2 * size == s.length) {
      int capacity = s.length == 0 ? expected : Math.min(LIMIT, size * 2);
      s = slots = Arrays.copyOf(s, 2 * capacity);
    }
    s[2 * size] = key;
    s[2 * size + 1] = value;
    size++;
    names |= bit;
  }

  /**
   * A name's bit in {@link #names}: one of 32 by its hash (high bits folded in, as {@code
   * HashMap} does, so that names differing only in their last characters spread too).
   */
  private static int bit(int hash) {
    return 1 << (hash ^ (hash >>> 16)); // the shift takes the low five bits
  }

  /**
   * Every attribute of {@code attributes}, in its order. This array is itself the callback that
   * {@code forEach} is given: a method reference to {@code put} would be a new object on every
   * call (a workflow's name and tags are put into each of its call spans).
   */
  final void putAll(Attributes attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return;
    }
    attributes.forEach(this);
  }

  /** {@link #put} of one attribute given by {@code forEach} ({@link #putAll}). */
  @Override
  @SuppressWarnings("unchecked")
  public final void accept(AttributeKey<?> key, Object value) {
    put((AttributeKey<Object>) key, value);
  }

  /** Makes this read-only. Called once, when the span ends. */
  void seal() {
    expected = 0;
  }

  /** A sealed copy of what is recorded so far (for reads of a span that has not ended). */
  SpanAttributeArray snapshot() {
    SpanAttributeArray copy = new SpanAttributeArray(Math.max(1, size));
    copy.slots = size == 0 ? NONE : Arrays.copyOf(slots, 2 * size);
    copy.size = size;
    copy.names = names;
    copy.totalAdded = totalAdded;
    copy.seal();
    return copy;
  }

  /** The key of the {@code index}-th attribute, in the order first set (the OTLP encoder). */
  AttributeKey<?> keyAt(int index) {
    return (AttributeKey<?>) slots[2 * index];
  }

  /** The value of the {@code index}-th attribute. */
  Object valueAt(int index) {
    return slots[2 * index + 1];
  }

  /** Every name ever added, dropped ones included (replacements count once). */
  int totalAdded() {
    return totalAdded;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(AttributeKey<T> key) {
    if (key == null) {
      return null;
    }
    for (int i = 0; i < size; i++) {
      if (slots[2 * i].equals(key)) {
        return (T) slots[2 * i + 1];
      }
    }
    return null;
  }

  @Override
  public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
    for (int i = 0; i < size; i++) {
      consumer.accept((AttributeKey<?>) slots[2 * i], slots[2 * i + 1]);
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public Map<AttributeKey<?>, Object> asMap() {
    Map<AttributeKey<?>, Object> map = new LinkedHashMap<>();
    forEach(map::put);
    return Collections.unmodifiableMap(map);
  }

  @Override
  public AttributesBuilder toBuilder() {
    AttributesBuilder builder = Attributes.builder();
    builder.putAll(this);
    return builder;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Attributes && asMap().equals(((Attributes) other).asMap());
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < size; i++) {
      text.append(i == 0 ? "" : ", ").append(keyAt(i).getKey()).append('=').append(slots[2 * i + 1]);
    }
    return text.append('}').toString();
  }
}
