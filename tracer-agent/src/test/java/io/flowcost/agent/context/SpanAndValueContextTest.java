package io.flowcost.agent.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SpanAndValueContext} answers every lookup as OpenTelemetry's own context does after the
 * same {@code with} calls: checked against it step by step over random sequences of spans and
 * values added, replaced and nested, deeper than the chain is allowed to grow.
 */
class SpanAndValueContextTest {

  private static final List<ContextKey<String>> KEYS =
      List.of(ContextKey.named("a"), ContextKey.named("b"), ContextKey.named("c"));

  private static Span span(int n) {
    return Span.wrap(SpanContext.create(String.format("%032x", n + 1L),
        String.format("%016x", n + 1L), TraceFlags.getSampled(), TraceState.getDefault()));
  }

  private static void assertSame(Context actual, Context expected) {
    assertThat(Span.fromContext(actual).getSpanContext())
        .isEqualTo(Span.fromContext(expected).getSpanContext());
    for (ContextKey<String> key : KEYS) {
      assertThat(actual.get(key)).as(key.toString()).isEqualTo(expected.get(key));
    }
  }

  @Test
  void aSpanAndAValueAreFoundAndTheParentsOthersRemain() {
    Context parent = Context.root().with(KEYS.get(1), "parent-b").with(span(0));
    Context linked = SpanAndValueContext.of(parent, span(1), KEYS.get(0), "a");
    assertThat(linked).isInstanceOf(SpanAndValueContext.class);
    assertSame(linked, parent.with(span(1)).with(KEYS.get(0), "a"));
    assertThat(Span.fromContext(linked)).isSameAs(Span.fromContext(linked.with(Span.fromContext(linked))));
    // replacing the span keeps the value; a new key shadows nothing of the parent's
    Context replaced = linked.with(span(2));
    assertSame(replaced, parent.with(span(1)).with(KEYS.get(0), "a").with(span(2)));
    assertThat(replaced.get(KEYS.get(1))).isEqualTo("parent-b");
  }

  @Test
  void randomSequencesOfWithAnswerAsOpenTelemetrysContextDoes() {
    Random random = new Random(20261206L);
    for (int round = 0; round < 200; round++) {
      Context actual = Context.root();
      Context expected = Context.root();
      List<Context[]> stack = new ArrayList<>();
      for (int step = 0; step < 40; step++) {
        int op = random.nextInt(5);
        ContextKey<String> key = KEYS.get(random.nextInt(KEYS.size()));
        String value = random.nextInt(6) == 0 ? null : "v" + step;
        if (op == 0) {
          Span s = span(step);
          actual = SpanAndValueContext.of(actual, s, key, value);
          expected = expected.with(s).with(key, value);
        } else if (op == 1) {
          actual = actual.with(key, value);
          expected = expected.with(key, value);
        } else if (op == 2) {
          Span s = span(100 + step);
          actual = actual.with(s);
          expected = expected.with(s);
        } else if (op == 3) {
          stack.add(new Context[] {actual, expected});
        } else if (!stack.isEmpty()) {
          Context[] back = stack.remove(stack.size() - 1);
          actual = back[0];
          expected = back[1];
        }
        assertSame(actual, expected);
      }
    }
  }

  @Test
  void aChainIsNeverDeeperThanItsBoundAndStaysCorrectPastIt() {
    Context actual = Context.root();
    Context expected = Context.root();
    List<ContextKey<String>> keys = new ArrayList<>();
    for (int i = 0; i < 3 * SpanAndValueContext.MAX_DEPTH; i++) {
      ContextKey<String> key = ContextKey.named("k" + i);
      keys.add(key);
      actual = SpanAndValueContext.of(actual, span(i), key, "v" + i);
      expected = expected.with(span(i)).with(key, "v" + i);
      assertSame(actual, expected);
      assertThat(actual.toString())
          .doesNotContain("depth=" + (SpanAndValueContext.MAX_DEPTH + 1) + "}");
    }
    for (int i = 0; i < keys.size(); i++) {
      assertThat(actual.get(keys.get(i))).isEqualTo("v" + i);
    }
  }

  @Test
  void itBecomesCurrentAndTheScopeRestoresThePrevious() {
    Context before = Context.current();
    Context linked = SpanAndValueContext.of(before, span(7), KEYS.get(2), "c");
    try (Scope ignored = linked.makeCurrent()) {
      assertThat(Span.current()).isSameAs(Span.fromContext(linked));
      assertThat(Span.current().getSpanContext().getSpanId()).isEqualTo(String.format("%016x", 8));
      assertThat(Context.current().get(KEYS.get(2))).isEqualTo("c");
    }
    assertThat(Context.current()).isSameAs(before);
  }
}
