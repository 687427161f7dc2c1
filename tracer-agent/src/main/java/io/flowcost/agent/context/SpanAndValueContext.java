package io.flowcost.agent.context;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * A {@link Context} made of a parent and at most two entries, typically a span and one of the
 * agent's own values (a call, a workflow, a tool): one object of four references.
 *
 * <p>Why: OpenTelemetry's own context copies its whole key-value array at every {@code with}, and
 * the agent's hooks add a span and then a value to the current context for every workflow, call,
 * attempt and tool — two array copies and two context objects each, on the application's thread
 * (about 1 KB per invocation of the side-by-side benchmark). A lookup walks the chain of these
 * links, two identity comparisons each, down to the OpenTelemetry context below; the chain is as
 * deep as the agent's contexts are nested, and {@code with} on a chain already {@link #MAX_DEPTH}
 * deep copies it into OpenTelemetry's context instead, so a lookup never walks far.
 *
 * <p>What a lookup answers is exactly what the two {@code with} calls would give: an entry's
 * key replaced in place keeps the other entry and the parent, a new key shadows the parent's.
 */
public final class SpanAndValueContext implements Context {

  /** A chain this deep is copied into OpenTelemetry's context by the next {@code with}. */
  static final int MAX_DEPTH = 8;

  /** OpenTelemetry's key of the current span (not public): the one {@link Span#storeInContext} uses. */
  private static final ContextKey<?> SPAN_KEY = spanKey();

  private final Context parent;
  private final ContextKey<?> key1;
  private final Object value1;
  private final ContextKey<?> key2; // null: one entry
  private final Object value2;
  private final int depth;

  private SpanAndValueContext(
      Context parent, ContextKey<?> key1, Object value1, ContextKey<?> key2, Object value2) {
    this.parent = parent;
    this.key1 = key1;
    this.value1 = value1;
    this.key2 = key2;
    this.value2 = value2;
    this.depth = parent instanceof SpanAndValueContext ? ((SpanAndValueContext) parent).depth + 1 : 1;
  }

  /**
   * {@code parent.with(span).with(key, value)}, made as one object. Falls back to exactly that
   * where OpenTelemetry's span key could not be found.
   */
  public static <V> Context of(Context parent, Span span, ContextKey<V> key, V value) {
    if (SPAN_KEY == null || key == SPAN_KEY) {
      return parent.with(span).with(key, value);
    }
    return link(parent, SPAN_KEY, span, key, value);
  }

  private static Context link(
      Context parent, ContextKey<?> key1, Object value1, ContextKey<?> key2, Object value2) {
    if (parent instanceof SpanAndValueContext && ((SpanAndValueContext) parent).depth >= MAX_DEPTH) {
      Context flat = ((SpanAndValueContext) parent).flatten();
      flat = put(flat, key1, value1);
      return key2 == null ? flat : put(flat, key2, value2);
    }
    return new SpanAndValueContext(parent, key1, value1, key2, value2);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> V get(ContextKey<V> key) {
    // a loop, not a call per link: the JIT inlines a recursive call only a level or two deep, and
    // a key absent from the chain (a boundary's, in most lookups) walks all of it
    Context context = this;
    do {
      SpanAndValueContext link = (SpanAndValueContext) context;
      if (key == link.key1) {
        return (V) link.value1;
      }
      if (link.key2 != null && key == link.key2) {
        return (V) link.value2;
      }
      context = link.parent;
    } while (context instanceof SpanAndValueContext);
    return context.get(key);
  }

  @Override
  public <V> Context with(ContextKey<V> key, V value) {
    if (key == key1) {
      return new SpanAndValueContext(parent, key1, value, key2, value2);
    }
    if (key2 != null && key == key2) {
      return new SpanAndValueContext(parent, key1, value1, key2, value);
    }
    return link(this, key, value, null, null);
  }

  /** This chain copied into OpenTelemetry's own context: oldest entries first, newest win. */
  private Context flatten() {
    Context base = parent instanceof SpanAndValueContext
        ? ((SpanAndValueContext) parent).flatten() : parent;
    base = put(base, key1, value1);
    return key2 == null ? base : put(base, key2, value2);
  }

  @SuppressWarnings("unchecked")
  private static Context put(Context context, ContextKey<?> key, Object value) {
    return context.with((ContextKey<Object>) key, value);
  }

  @Override
  public String toString() {
    return "SpanAndValueContext{depth=" + depth + "}";
  }

  /** Finds the span key by letting a span store itself into a context that records the key. */
  private static ContextKey<?> spanKey() {
    ContextKey<?>[] seen = new ContextKey<?>[1];
    Context probe = new Context() {
      @Override
      public <V> V get(ContextKey<V> key) {
        return null;
      }

      @Override
      public <V> Context with(ContextKey<V> key, V value) {
        seen[0] = key;
        return this;
      }
    };
    try {
      Span.getInvalid().storeInContext(probe);
    } catch (RuntimeException e) {
      return null;
    }
    return seen[0];
  }
}
