package io.flowcost.agent.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallDepthTest {

  @Test
  void countersSharingTheThreadsArrayCountApart() {
    CallDepth outer = new CallDepth();
    CallDepth inner = new CallDepth();
    assertThat(outer.increment()).isEqualTo(1);
    assertThat(inner.increment()).isEqualTo(1);
    assertThat(outer.increment()).isEqualTo(2);
    outer.decrement();
    assertThat(inner.increment()).isEqualTo(2);
    inner.decrement();
    inner.decrement();
    outer.decrement();
    assertThat(outer.increment()).isEqualTo(1);
    assertThat(inner.increment()).isEqualTo(1);
    outer.decrement();
    inner.decrement();
  }

  @Test
  void aCounterMadeAfterTheThreadFirstCountedStillCounts() {
    CallDepth first = new CallDepth();
    assertThat(first.increment()).isEqualTo(1);
    CallDepth later = new CallDepth(); // a slot past the end of this thread's array
    assertThat(later.increment()).isEqualTo(1);
    assertThat(first.increment()).isEqualTo(2);
    later.decrement();
    first.decrement();
    first.decrement();
  }

  @Test
  void anExitHandedItsEntersCountersDecrementsTheArrayInUseAfterItGrew() {
    CallDepth first = new CallDepth();
    CallDepth.Counters counters = CallDepth.counters();
    assertThat(first.increment(counters)).isEqualTo(1);
    CallDepth later = new CallDepth(); // grows this thread's array between enter and exit
    assertThat(later.increment()).isEqualTo(1);
    first.decrement(counters);
    later.decrement(counters);
    assertThat(first.increment()).as("the outermost call again").isEqualTo(1);
    assertThat(later.increment()).isEqualTo(1);
    first.decrement(null); // looked up
    later.decrement();
    assertThat(first.increment(CallDepth.counters())).isEqualTo(1);
    first.decrement();
  }

  @Test
  void neverBelowZero() {
    CallDepth depth = new CallDepth();
    depth.decrement();
    depth.decrement();
    assertThat(depth.increment()).isEqualTo(1);
    depth.decrement();
  }

  @Test
  void eachThreadHasItsOwnDepth() throws Exception {
    CallDepth depth = new CallDepth();
    assertThat(depth.increment()).isEqualTo(1);
    AtomicInteger seen = new AtomicInteger();
    Thread other = new Thread(() -> seen.set(depth.increment()));
    other.start();
    other.join();
    assertThat(seen.get()).isEqualTo(1);
    assertThat(depth.increment()).isEqualTo(2);
    depth.decrement();
    depth.decrement();
  }
}
