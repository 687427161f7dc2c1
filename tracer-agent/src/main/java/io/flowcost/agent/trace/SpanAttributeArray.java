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
 * A span's attributes as two parallel arrays in the order first set: no map, no hash table, no
 * entry object per attribute (a span has a few dozen attributes at most, so a scan finds a key as
 * fast). Filled by one span (under its lock) while it is recorded, then {@linkplain #seal() sealed}
 * when it ends and read-only from then on.
 *
 * <p>The OpenTelemetry SDK's rules ({@code AttributesMap}), kept so that what reaches the wire
 * does not change: a {@code null} key, an empty key name or a {@code null} value is ignored; a key
 * is its name: setting a name again replaces key and value in place; at most {@link #LIMIT} names,
 * further new names dropped; each new name, kept or dropped, counts in {@link #totalAdded()} (the
 * OTLP {@code dropped_attributes_count} is that minus {@link #size()}).
 */
final class SpanAttributeArray implements Attributes {

  /** The SDK's default span limit of attributes per span. */
  static final int LIMIT = 128;

  private static final int INITIAL_CAPACITY = 8;

  private AttributeKey<?>[] keys;
  private Object[] values;
  private int size;
  private int totalAdded;
  private boolean sealed;

  SpanAttributeArray() {
    this(INITIAL_CAPACITY);
  }

  private SpanAttributeArray(int capacity) {
    keys = new AttributeKey<?>[capacity];
    values = new Object[capacity];
  }

  /** Adds or replaces an attribute (see the class comment for the SDK's rules). */
  <T> void put(AttributeKey<T> key, T value) {
    if (key == null || key.getKey().isEmpty() || value == null || sealed) {
      return;
    }
    String name = key.getKey();
    // a span sets 10-20 attributes, each checked against those already set: compare the names'
    // cached hashes first, so that a new name costs an int comparison per attribute, not equals
    int hash = name.hashCode();
    for (int i = 0; i < size; i++) {
      String other = keys[i].getKey();
      if (other == name || other.hashCode() == hash && other.equals(name)) {
        keys[i] = key;
        values[i] = value;
        return;
      }
    }
    totalAdded++;
    if (size >= LIMIT) {
      return;
    }
    if (size == keys.length) {
      int capacity = Math.min(LIMIT, size * 2);
      keys = Arrays.copyOf(keys, capacity);
      values = Arrays.copyOf(values, capacity);
    }
    keys[size] = key;
    values[size] = value;
    size++;
  }

  /** Every attribute of {@code attributes}, in its order. */
  void putAll(Attributes attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return;
    }
    attributes.forEach(this::putUnchecked);
  }

  @SuppressWarnings("unchecked")
  private void putUnchecked(AttributeKey<?> key, Object value) {
    put((AttributeKey<Object>) key, value);
  }

  /** Makes this read-only. Called once, when the span ends. */
  void seal() {
    sealed = true;
  }

  /** A sealed copy of what is recorded so far (for reads of a span that has not ended). */
  SpanAttributeArray snapshot() {
    SpanAttributeArray copy = new SpanAttributeArray(Math.max(1, size));
    System.arraycopy(keys, 0, copy.keys, 0, size);
    System.arraycopy(values, 0, copy.values, 0, size);
    copy.size = size;
    copy.totalAdded = totalAdded;
    copy.seal();
    return copy;
  }

  /** The key of the {@code index}-th attribute, in the order first set (the OTLP encoder). */
  AttributeKey<?> keyAt(int index) {
    return keys[index];
  }

  /** The value of the {@code index}-th attribute. */
  Object valueAt(int index) {
    return values[index];
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
      if (keys[i].equals(key)) {
        return (T) values[i];
      }
    }
    return null;
  }

  @Override
  public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
    for (int i = 0; i < size; i++) {
      consumer.accept(keys[i], values[i]);
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
      text.append(i == 0 ? "" : ", ").append(keys[i].getKey()).append('=').append(values[i]);
    }
    return text.append('}').toString();
  }
}
