package io.flowcost.agent.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * The application's own current span, read through the thread's context class loader: here an
 * OpenTelemetry API loaded a second time in a loader of its own, as an application's unrelocated
 * copy is next to the agent's relocated one.
 */
class ApplicationSpansTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void theApplicationsCurrentSpanIsReadAndNoCurrentSpanReadsInvalid() throws Exception {
    URL api = Span.class.getProtectionDomain().getCodeSource().getLocation();
    URL context = Context.class.getProtectionDomain().getCodeSource().getLocation();
    // the context's storage loads its provider through this one (API 1.4x)
    URL common = Class.forName("io.opentelemetry.common.ComponentLoader")
        .getProtectionDomain().getCodeSource().getLocation();
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader app =
        new URLClassLoader(new URL[] {api, context, common}, ClassLoader.getPlatformClassLoader())) {
      thread.setContextClassLoader(app);
      // twice each, so that the second read goes through the loader remembered by the first
      for (int i = 0; i < 2; i++) {
        assertThat(ApplicationSpans.current().isValid()).isFalse();
      }
      Class<?> spanType = Class.forName("io.opentelemetry.api.trace.Span", true, app);
      Class<?> contextType = Class.forName("io.opentelemetry.api.trace.SpanContext", true, app);
      Class<?> flags = Class.forName("io.opentelemetry.api.trace.TraceFlags", true, app);
      Class<?> state = Class.forName("io.opentelemetry.api.trace.TraceState", true, app);
      Object spanContext = contextType.getMethod("create", String.class, String.class, flags, state)
          .invoke(null, TRACE, SPAN, flags.getMethod("getSampled").invoke(null),
              state.getMethod("getDefault").invoke(null));
      Object span = spanType.getMethod("wrap", contextType).invoke(null, spanContext);
      Method makeCurrent = spanType.getMethod("makeCurrent");
      AutoCloseable scope = (AutoCloseable) makeCurrent.invoke(span);
      try {
        for (int i = 0; i < 2; i++) {
          SpanContext read = ApplicationSpans.current();
          assertThat(read.getTraceId()).isEqualTo(TRACE);
          assertThat(read.getSpanId()).isEqualTo(SPAN);
          assertThat(read.isSampled()).isTrue();
        }
      } finally {
        scope.close();
      }
      assertThat(ApplicationSpans.current().isValid()).isFalse();
      // a context loader without the API: no application span
      try (URLClassLoader none = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
        thread.setContextClassLoader(none);
        assertThat(ApplicationSpans.current().isValid()).isFalse();
      }
    } finally {
      thread.setContextClassLoader(before);
    }
  }
}
