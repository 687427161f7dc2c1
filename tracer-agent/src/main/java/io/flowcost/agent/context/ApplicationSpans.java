package io.flowcost.agent.context;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Reads the span current in the application's own OpenTelemetry (its APM, or the OpenTelemetry
 * Java agent), so that a new workflow can link to it. The agent's OpenTelemetry classes are
 * relocated, so the application's are reached reflectively through the thread's context class
 * loader. Any failure means "no application span".
 */
final class ApplicationSpans {

  // built at run time: the shade plugin would otherwise relocate these names to our own copy
  private static final String API_PACKAGE = String.join(".", "io", "opentelemetry", "api", "trace");

  private static final Object[] NO_ARGUMENTS = new Object[0];
  private static final Accessors NONE = new Accessors(null, null, null, null, null, null);
  private static final Map<ClassLoader, Accessors> CACHE = new WeakHashMap<>();

  /**
   * The loader looked up last and its accessors, in front of {@link #CACHE}: every workflow
   * starts here, on the application's thread, and an application has one context class loader
   * in practice (the cache's lock and weak-key lookup were measured on every invocation). Written
   * racily: a {@link Last} is immutable. Keeps no more than the cache's values already do (the
   * accessors' methods hold their classes, and so the loader).
   */
  private static Last last;

  private ApplicationSpans() {}

  private static final class Last {
    final ClassLoader loader;
    final Accessors accessors;

    Last(ClassLoader loader, Accessors accessors) {
      this.loader = loader;
      this.accessors = accessors;
    }
  }

  /** The application's current span context, or an invalid one. */
  static SpanContext current() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      return SpanContext.getInvalid();
    }
    Last seen = last;
    Accessors accessors;
    if (seen != null && seen.loader == loader) {
      accessors = seen.accessors;
    } else {
      synchronized (CACHE) {
        accessors = CACHE.computeIfAbsent(loader, ApplicationSpans::load);
      }
      last = new Last(loader, accessors);
    }
    return accessors == NONE ? SpanContext.getInvalid() : accessors.current();
  }

  private static Accessors load(ClassLoader loader) {
    try {
      Class<?> span = Class.forName(API_PACKAGE + ".Span", false, loader);
      if (span == Span.class) {
        // not relocated (tests): the application's context is the agent's own
        return NONE;
      }
      Class<?> context = Class.forName(API_PACKAGE + ".SpanContext", false, loader);
      return new Accessors(
          invalidSpan(span),
          span.getMethod("current"),
          span.getMethod("getSpanContext"),
          context.getMethod("getTraceId"),
          context.getMethod("getSpanId"),
          context.getMethod("isSampled"));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return NONE;
    }
  }

  /**
   * The application's {@code Span.getInvalid()}, or {@code null}: what {@code Span.current()}
   * returns when no span is current (the usual case), whose context is invalid by the API's
   * contract — recognised by identity without reading its ids.
   */
  private static Object invalidSpan(Class<?> span) {
    try {
      return span.getMethod("getInvalid").invoke(null, NO_ARGUMENTS);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static final class Accessors {
    final Object invalid;
    final Method current;
    final Method spanContext;
    final Method traceId;
    final Method spanId;
    final Method sampled;

    Accessors(Object invalid, Method current, Method spanContext, Method traceId, Method spanId,
        Method sampled) {
      this.invalid = invalid;
      this.current = current;
      this.spanContext = spanContext;
      this.traceId = traceId;
      this.spanId = spanId;
      this.sampled = sampled;
    }

    SpanContext current() {
      try {
        // one shared empty argument array: varargs would allocate one per call
        Object applicationSpan = current.invoke(null, NO_ARGUMENTS);
        if (applicationSpan == invalid && applicationSpan != null) {
          return SpanContext.getInvalid(); // no application span, its ids not read
        }
        Object context = spanContext.invoke(applicationSpan, NO_ARGUMENTS);
        String trace = (String) traceId.invoke(context, NO_ARGUMENTS);
        String span = (String) spanId.invoke(context, NO_ARGUMENTS);
        if (!TraceId.isValid(trace) || !SpanId.isValid(span)) {
          return SpanContext.getInvalid(); // no application span: the usual case, nothing built
        }
        SpanContext copy =
            SpanContext.create(
                trace,
                span,
                Boolean.TRUE.equals(sampled.invoke(context, NO_ARGUMENTS))
                    ? TraceFlags.getSampled()
                    : TraceFlags.getDefault(),
                TraceState.getDefault());
        return copy.isValid() ? copy : SpanContext.getInvalid();
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return SpanContext.getInvalid();
      }
    }
  }
}
